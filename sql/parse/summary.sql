-- Totals and contract checks over articles.
SELECT
    count(*) AS articles,
    count(*) FILTER (WHERE published_date IS NOT NULL) AS dated,
    count(*) FILTER (WHERE trim(title) = '' OR trim(body) = '') AS empty_title_or_body,
    count(*) - count(DISTINCT article_id) AS duplicate_ids,
    count(*) FILTER (WHERE parent_article_id IS NOT NULL) AS related
FROM articles;
