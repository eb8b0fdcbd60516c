-- The newest audit entry's number (grain: one value), to say in a restore's entry how far the
-- replaced store's log ran.
SELECT max(seq) FROM audit_log
