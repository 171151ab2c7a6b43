-- Totals and the empty-title/body check over articles (the id check is parse/duplicate_ids).
SELECT
    count(*) AS articles,
    count(*) FILTER (WHERE published_date IS NOT NULL) AS dated,
    count(*) FILTER (WHERE trim(title) = '' OR trim(body) = '') AS empty_title_or_body,
    count(*) FILTER (WHERE parent_article_id IS NOT NULL) AS related
FROM articles;
