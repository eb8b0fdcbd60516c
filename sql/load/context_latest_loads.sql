-- The sha256 of the latest load of each kind (grain: kind): a file identical to it is already in.
SELECT kind, arg_max(sha256, load_id) AS sha256
FROM load_log
GROUP BY kind
