"""The embedded data: the default built from ../shared and its map outlines, the England data pack
and the build of a store for any English authority from it, each through the ingest stage."""
