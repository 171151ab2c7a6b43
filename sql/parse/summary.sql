-- Totals over articles, from small columns only (the empty-title/body check is
-- parse/empty_since, the id check parse/duplicate_ids).
SELECT
    count(*) AS articles,
    count(*) FILTER (WHERE published_date IS NOT NULL) AS dated,
    count(*) FILTER (WHERE parent_article_id IS NOT NULL) AS related
FROM articles;
