-- scenarios: what-if settings saved under a name (grain: scenario_id). The settings are the
-- same query parameters a shared link carries, so reopening one is opening that link.
CREATE TABLE IF NOT EXISTS scenarios (
    scenario_id BIGINT PRIMARY KEY,
    name VARCHAR NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 120),
    query_json VARCHAR NOT NULL,
    saved_by VARCHAR NOT NULL CHECK (length(trim(saved_by)) >= 1),
    saved_at TIMESTAMP NOT NULL
);
