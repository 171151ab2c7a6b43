-- Contract checks over the mentions in scope. (Offsets are compared with the bodies batch by
-- batch, as the run writes them: entities/written_mentions, read back and compared in Python.
-- Rows kept from earlier runs were compared when they were written, and a changed body is
-- always re-extracted.) Dated scopes: the days of [$start, $end] in check_days (a registered frame:
-- every day, or those a refresh's range run can have changed).
WITH scoped AS (
    SELECT article_id, mention_id FROM entity_mentions m
    WHERE CASE WHEN $undated THEN m.published_date IS NULL
               ELSE m.published_date BETWEEN $start AND $end
                    AND m.published_date IN (SELECT published_date FROM check_days) END
)
SELECT
    (SELECT count(*) FROM scoped) AS mentions,
    (SELECT count(*) FROM scoped m WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = m.article_id))
        AS without_article,
    (SELECT count(*) - count(DISTINCT mention_id) FROM scoped) AS duplicate_ids,
    (SELECT count(DISTINCT article_id) FROM scoped) AS articles;
