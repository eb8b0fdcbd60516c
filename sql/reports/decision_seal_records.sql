-- decision_seal_records: what an approval's audit entry vouches for in each decision's own row
-- (grain: decision_id): every column as text in a fixed order, and the frozen files' bytes.
SELECT
    decision_id,
    [
        CAST(decision_id AS VARCHAR), title, scenario_name, query_json, settings_json, files_json, data_version,
        CAST(total AS VARCHAR), CAST(census_date AS VARCHAR), CAST(as_of AS VARCHAR), approved_by,
        CAST(approved_at AS VARCHAR), csv_file_name, csv_sha256, xlsx_file_name, xlsx_sha256, note,
        CAST(top_slice AS VARCHAR), CAST(audit_anchor_seq AS VARCHAR), audit_anchor_hash
    ] AS record,
    csv_bytes,
    xlsx_bytes
FROM decisions
ORDER BY decision_id
