"""The embedded data: the Norfolk default built from ../shared, its map outlines, and the build of a
store from it through the ingest stage."""
