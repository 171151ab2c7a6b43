-- Contract checks over the mentions in scope. Offsets are compared with the body only for the
-- mentions this run wrote ($run_id): that comparison reads bodies, and rows kept from earlier
-- runs were compared when they were written (a changed body is always re-extracted).
WITH scoped AS (
    SELECT * FROM entity_mentions m
    WHERE CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END
)
SELECT
    (SELECT count(*) FROM scoped) AS mentions,
    (SELECT count(*) FROM scoped m WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = m.article_id))
        AS without_article,
    (SELECT count(*) FROM scoped m JOIN articles a ON a.article_id = m.article_id
     -- the articles of the same days only, so the join reads those bodies, not every body
     WHERE CASE WHEN $undated THEN a.published_date IS NULL ELSE a.published_date BETWEEN $start AND $end END
       AND m.run_id = $run_id
       AND substr(a.body, m.start_char + 1, m.end_char - m.start_char) IS DISTINCT FROM m.surface)
        AS offsets_not_matching,
    (SELECT count(*) - count(DISTINCT mention_id) FROM scoped) AS duplicate_ids,
    (SELECT count(DISTINCT article_id) FROM scoped) AS articles;
