-- The gaps a membership change can close, with what one gap is about and the order the best
-- plan takes them in (see the plan_gap_scope macro; grain: code).
SELECT code, identity, priority FROM plan_gap_scope() ORDER BY priority
