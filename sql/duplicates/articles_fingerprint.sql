-- A fingerprint of every article's id and body: clustering is redone only when it changes.
SELECT count(*) AS articles, coalesce(bit_xor(hash(article_id || body_hash)), 0)::VARCHAR AS fingerprint
FROM articles;
