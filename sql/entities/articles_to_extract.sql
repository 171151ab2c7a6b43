-- Articles in scope whose current body has not been through this extractor version (ids and when
-- they were parsed: bodies are read a batch at a time, entities/articles_batch). In parse order,
-- so that a batch's bodies lie together in the table.
-- Scope: the partition days [$start, $end], or the undated bucket when $undated.
SELECT a.article_id, a.parsed_at
FROM articles a
LEFT JOIN extraction_log l
    ON l.article_id = a.article_id AND l.body_hash = a.body_hash
    AND l.extractor_version = $extractor_version
    AND l.published_date IS NOT DISTINCT FROM a.published_date
WHERE l.article_id IS NULL
  AND CASE WHEN $undated THEN a.published_date IS NULL ELSE a.published_date BETWEEN $start AND $end END
ORDER BY a.parsed_at, a.article_id;
