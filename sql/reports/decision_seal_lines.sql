-- decision_seal_lines: each decision's frozen lines as text, by partnership code (grain:
-- decision_id), for the digest its approval's audit entry carries.
SELECT
    decision_id,
    list(
        [
            partnership_code, partnership_name, CAST(funded AS VARCHAR), funding_reason, CAST(year10 AS VARCHAR),
            CAST(share_percent AS VARCHAR), CAST(amount AS VARCHAR), CAST(days_per_week AS VARCHAR), CAST(fte AS VARCHAR),
            CAST(previous_amount AS VARCHAR)
        ]
        ORDER BY partnership_code
    ) AS lines
FROM decision_lines
GROUP BY decision_id
