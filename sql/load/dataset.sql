-- Replace the dataset description (staged as `incoming`, exactly one row; grain: id = 1).
INSERT OR REPLACE INTO dataset (id, name, reference_date, description, source)
SELECT 1, name, reference_date, description, source
FROM incoming;
