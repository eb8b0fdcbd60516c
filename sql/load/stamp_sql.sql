-- Record which SQL wrote the store (one row, replaced).
DELETE FROM store_sql;
INSERT INTO store_sql (fingerprint) VALUES ($fingerprint);
