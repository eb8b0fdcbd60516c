-- Rows per stored table (grain: table_name), for the Data page and the build note.
SELECT 'institutions' AS table_name, count(*) AS rows FROM institutions
UNION ALL SELECT 'census_rolls', count(*) FROM census_rolls
UNION ALL SELECT 'census_fsm', count(*) FROM census_fsm
UNION ALL SELECT 'partnerships', count(*) FROM partnerships
UNION ALL SELECT 'memberships', count(*) FROM memberships
UNION ALL SELECT 'accreditation_decisions', count(*) FROM accreditation_decisions
UNION ALL SELECT 'health_check_results', count(*) FROM health_check_results
UNION ALL SELECT 'previous_allocations', count(*) FROM previous_allocations
UNION ALL SELECT 'load_log', count(*) FROM load_log
UNION ALL SELECT 'dataset', count(*) FROM dataset
