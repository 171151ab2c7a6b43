-- One page of article bodies in article_id order (keyset pagination: ids after $after), for the
-- corpus statistics the ner_model asset trains with. article_id is a hash, so the order mixes
-- sources and dates and a token cap still samples the whole corpus.
SELECT article_id, body
FROM articles
WHERE article_id > $after
ORDER BY article_id
LIMIT $page_size;
