"""What leaves the tool: CSV and XLSX exports, the meeting pack, the map specification the pack
and the dashboard both draw, and decisions frozen with their export."""
