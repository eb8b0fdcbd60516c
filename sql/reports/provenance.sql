-- Where the stored figures come from, by table and source note (grain: table_name, source).
SELECT 'institutions' AS table_name, source, count(*) AS rows FROM institutions GROUP BY source
UNION ALL SELECT 'census_rolls', source, count(*) FROM census_rolls GROUP BY source
UNION ALL SELECT 'census_fsm', source, count(*) FROM census_fsm GROUP BY source
UNION ALL SELECT 'memberships', regexp_replace(source, '''[^'']*''', '''…''', 'g'), count(*) FROM memberships GROUP BY ALL
UNION ALL SELECT 'previous_allocations', source, count(*) FROM previous_allocations GROUP BY source
UNION ALL SELECT 'accreditation_decisions', notes, count(*) FROM accreditation_decisions GROUP BY notes
ORDER BY table_name, rows DESC
