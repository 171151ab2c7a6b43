-- Contract checks over the mentions in scope. (Offsets are compared with the bodies batch by
-- batch, as the run writes them: entities/written_mentions, read back and compared in Python.
-- Rows kept from earlier runs were compared when they were written, and a changed body is
-- always re-extracted.)
WITH scoped AS (
    SELECT article_id, mention_id FROM entity_mentions m
    WHERE CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END
)
SELECT
    (SELECT count(*) FROM scoped) AS mentions,
    (SELECT count(*) FROM scoped m WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = m.article_id))
        AS without_article,
    (SELECT count(*) - count(DISTINCT mention_id) FROM scoped) AS duplicate_ids,
    (SELECT count(DISTINCT article_id) FROM scoped) AS articles;
