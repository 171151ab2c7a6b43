-- Contract checks over the mentions in scope. Offsets are compared with the body only for the
-- mentions this run wrote ($run_id): that comparison reads every body, and rows kept from earlier
-- runs were compared when they were written (a changed body is always re-extracted).
SELECT
    count(*) AS mentions,
    count(*) FILTER (WHERE a.article_id IS NULL) AS without_article,
    count(*) FILTER (WHERE m.run_id = $run_id
                     AND substr(a.body, m.start_char + 1, m.end_char - m.start_char) IS DISTINCT FROM m.surface)
        AS offsets_not_matching,
    count(*) - count(DISTINCT m.mention_id) AS duplicate_ids,
    count(DISTINCT m.article_id) AS articles
FROM entity_mentions m
LEFT JOIN articles a ON a.article_id = m.article_id
WHERE CASE WHEN $undated THEN m.published_date IS NULL ELSE m.published_date BETWEEN $start AND $end END;
