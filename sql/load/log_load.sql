-- Record one load in the load log (grain: load_id); parameters are bound by the loader.
INSERT INTO load_log (file_name, sha256, kind, layout, rows, warnings, loaded_at)
VALUES ($file_name, $sha256, $kind, $layout, $rows, $warnings, $loaded_at);
