-- Record one migration as applied to the store (grain: version). A new store gets every
-- migration stamped at once: it was created at their shape.
INSERT INTO schema_version (version, name, applied_at) VALUES ($version, $name, $at);
