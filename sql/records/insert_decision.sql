-- Record one decision (grain: decision_id). Inserted once, never updated.
-- Columns are named: a store whose table gained a column later may hold them in another order.
INSERT INTO decisions (
    decision_id, title, scenario_name, query_json, settings_json, files_json, data_version,
    total, census_date, as_of, approved_by, approved_at,
    csv_file_name, csv_bytes, csv_sha256, xlsx_file_name, xlsx_bytes, xlsx_sha256, note, top_slice,
    audit_anchor_seq, audit_anchor_hash
) VALUES (
    $decision_id, $title, $scenario_name, $query_json, $settings_json, $files_json, $data_version,
    $total, $census_date, $as_of, $approved_by, $approved_at,
    $csv_file_name, $csv_bytes, $csv_sha256, $xlsx_file_name, $xlsx_bytes, $xlsx_sha256, $note, $top_slice,
    $audit_anchor_seq, $audit_anchor_hash
);
