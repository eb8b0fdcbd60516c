-- The fingerprint of the SQL that last wrote the store (none: written before it was recorded).
SELECT max(fingerprint) FROM store_sql
