-- How far each loaded input can be trusted, read from its own source notes (grain: input).
--
-- The status words are declared here and only here (`words`). A row's status comes from its
-- note (`source`; `notes`/`note` for accreditation and health checks):
--   * an empty note is 'unlabelled': a council's own file, shown as loaded;
--   * a note that starts with a status word (a label such as "proxy: ..." or "real: ...") has
--     that status, whatever else it says;
--   * otherwise the most cautious status whose words the note contains ("... (inferred)");
--   * otherwise 'real': the note names a source and nothing marks it as a stand-in.
-- Per input the headline is the most cautious status present, with its row count, the count
-- of every status, one example note, and stand_in when any row is synthetic, proxy or
-- inferred (more cautious than unlabelled). last_loaded_at is the latest load of any file.
WITH words (status, caution, pattern, meaning) AS (
    VALUES
        ('synthetic', 1, 'synthetic|illustrative|for demonstration|dummy|fictitious|test (?:data|figures?)',
         'made up to show how the tool works; not a council or DfE figure'),
        ('proxy', 2, 'proxy|approximat\w*|estimated?|standing in for',
         'a stand-in for the figure the rule asks for'),
        ('inferred', 3, 'inferred|imputed',
         'placed or matched by the tool or its author, not read from a source'),
        ('unlabelled', 4, NULL,
         'no source note: as loaded from the file'),
        ('real', 5, 'real',
         'a source is named and nothing marks it as a stand-in')
),
inputs (input, label, ord) AS (
    VALUES
        ('register', 'register', 1),
        ('census', 'Year 10 figures', 2),
        ('roster', 'memberships', 3),
        ('accreditation', 'accreditation', 4),
        ('health_check', 'health checks', 5),
        ('previous_allocation', 'previous 2008/9 amounts', 6)
),
notes AS (
    -- Distinct notes first: a handful per input, so the patterns run a handful of times.
    SELECT 'register' AS input, source AS note, count(*) AS rows FROM institutions GROUP BY ALL
    UNION ALL SELECT 'census', source, count(*) FROM census_rolls WHERE nc_year = 10 GROUP BY ALL
    UNION ALL SELECT 'roster', source, count(*) FROM memberships GROUP BY ALL
    UNION ALL SELECT 'accreditation', notes, count(*) FROM accreditation_decisions GROUP BY ALL
    UNION ALL SELECT 'health_check', note, count(*) FROM health_check_results GROUP BY ALL
    UNION ALL SELECT 'previous_allocation', source, count(*) FROM previous_allocations GROUP BY ALL
),
classified AS (
    SELECT
        n.input, n.note, n.rows,
        CASE
            WHEN n.note IS NULL OR trim(n.note) = '' THEN 'unlabelled'
            ELSE coalesce(
                (SELECT arg_min(w.status, w.caution) FROM words w
                 WHERE regexp_matches(n.note, '(?i)^\W*(?:' || w.pattern || ')\b')),
                (SELECT arg_min(w.status, w.caution) FROM words w
                 WHERE regexp_matches(n.note, '(?i)\b(?:' || w.pattern || ')\b')),
                'real')
        END AS status
    FROM notes n
),
by_status AS (
    SELECT c.input, c.status, w.caution, w.meaning, sum(c.rows) AS rows,
           first(c.note ORDER BY c.rows DESC, c.note) AS example_note  -- the commonest; ties by text, so it never varies
    FROM classified c JOIN words w USING (status)
    GROUP BY ALL
)
SELECT
    i.label AS input,
    arg_min(s.status, s.caution) AS status,
    coalesce(arg_min(s.rows, s.caution), 0)::BIGINT AS rows,
    coalesce(sum(s.rows), 0)::BIGINT AS total_rows,
    string_agg(s.status || ' ' || s.rows, ', ' ORDER BY s.caution) AS breakdown,
    nullif(arg_min(coalesce(s.example_note, ''), s.caution), '') AS example_note,
    arg_min(s.meaning, s.caution) AS meaning,
    coalesce(min(s.caution) < (SELECT caution FROM words WHERE status = 'unlabelled'), false) AS stand_in,
    (SELECT max(loaded_at) FROM load_log) AS last_loaded_at
FROM inputs i
LEFT JOIN by_status s USING (input)
GROUP BY i.label, i.ord
ORDER BY i.ord
