-- Every load, newest first (grain: load_id).
SELECT load_id, loaded_at, kind, layout, file_name, rows, warnings, sha256
FROM load_log
ORDER BY load_id DESC
