SELECT d.duplicate_kind, round(d.similarity, 3) AS similarity, a.source, a.title, c.source AS canonical_source
FROM article_duplicates d JOIN articles a USING (article_id) JOIN articles c ON c.article_id = d.canonical_article_id
WHERE d.duplicate_kind <> 'canonical' ORDER BY d.similarity, d.article_id LIMIT 8;
