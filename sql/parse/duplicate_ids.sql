-- Contract check: article_id is a key (rows beyond the first per id).
SELECT count(*) - count(DISTINCT article_id) AS duplicate_ids FROM articles;
