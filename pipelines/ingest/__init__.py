"""A file becomes checked rows: layouts, readers for CSV and XLSX, validation, cross-checks against
the store, and the load that commits whole or changes nothing. Above the store, which it writes."""
