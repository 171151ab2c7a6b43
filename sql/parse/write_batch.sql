-- Replace the articles of one batch of documents (batch_articles, batch_documents are registered frames).
DELETE FROM articles WHERE doc_id IN (SELECT doc_id FROM batch_documents);
DELETE FROM parsed_documents WHERE doc_id IN (SELECT doc_id FROM batch_documents);
DELETE FROM rejected_documents WHERE stage = 'parse' AND sha256 IN (SELECT doc_id FROM batch_documents);
INSERT INTO articles (
    article_id, doc_id, parent_article_id, article_index, title, title_derived, published_at, published_date, date_raw,
    date_status, source, url, author, category, keywords, body, body_hash, external_id, format, parsed_at, run_id)
SELECT article_id, doc_id, parent_article_id, article_index, title, title_derived, published_at,
    CASE WHEN published_at::DATE BETWEEN $min_day AND $max_day THEN published_at::DATE END,
    date_raw,
    CASE WHEN published_at IS NOT NULL AND published_at::DATE NOT BETWEEN $min_day AND $max_day
         THEN 'out_of_range' ELSE date_status END, source, url, author, category, keywords, body, body_hash, external_id, format, $now, $run_id
FROM batch_articles;
INSERT INTO parsed_documents (doc_id, parser_version, status, reason, articles, parsed_at)
SELECT doc_id, $parser_version, status, reason, articles, $now FROM batch_documents;
INSERT INTO rejected_documents (path, sha256, reason, seen_at, stage, bytes, mtime_ns, run_id)
SELECT r.path, r.sha256, d.reason, $now, 'parse', r.bytes, r.mtime_ns, $run_id
FROM batch_documents d JOIN raw_documents r ON r.doc_id = d.doc_id
WHERE d.status = 'rejected';
