-- The newest decision's number (NULL before the first): the one a new approval supersedes.
SELECT max(decision_id) FROM decisions;
