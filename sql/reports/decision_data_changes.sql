-- What has changed in the data since a decision was approved (grain: kind, file_name): files
-- loaded since, files whose content differs (by sha256), and files no longer in the store.
-- No rows: the store holds exactly the data the decision was made on.
WITH frozen AS (
    SELECT unnest(from_json(files_json, '[{"kind": "VARCHAR", "file_name": "VARCHAR", "sha256": "VARCHAR", "loaded_at": "VARCHAR"}]'),
                  recursive := true)
    FROM decisions
    WHERE decision_id = $decision_id
),
current_files AS (
    SELECT kind, file_name, sha256, loaded_at
    FROM load_log
    QUALIFY row_number() OVER (PARTITION BY kind, file_name ORDER BY load_id DESC) = 1
)
SELECT
    coalesce(c.kind, f.kind) AS kind,
    coalesce(c.file_name, f.file_name) AS file_name,
    CASE WHEN f.sha256 IS NULL THEN 'loaded since the decision'
         WHEN c.sha256 IS NULL THEN 'no longer in the store'
         ELSE 'content changed since the decision' END AS change,
    f.sha256 AS sha256_at_decision,
    c.sha256 AS sha256_now,
    c.loaded_at AS loaded_at
FROM frozen AS f
FULL OUTER JOIN current_files AS c ON c.kind = f.kind AND c.file_name = f.file_name
WHERE f.sha256 IS DISTINCT FROM c.sha256
ORDER BY kind, file_name
