-- Candidate near-duplicate pairs by LSH banding of MinHash signatures (news_assets.text.duplicates).
-- Reads `signatures` (article_id, text_hash, minhash, band_keys): equal normalised texts have equal
-- signatures, so texts, not articles, are paired. Band k is values k*rows+1 .. (k+1)*rows of the
-- signature and band_keys[k+1] its hash (stored with the fingerprint: duplicates/write_fingerprints);
-- two texts whose band keys agree in any of the $bands bands are a candidate pair. A bucket of
-- more than $max_members texts (a template repeated thousands of times) is linked as a star from its
-- first text (by smallest article id) plus a chain in that order, so its pairs stay linear in its
-- size. Out: (a, b) normalised-text hashes, a < b, each pair once. Run in DuckDB so the signatures
-- (800 bytes an article) never come into Python; the caller sets a small memory limit and retries
-- under larger ones if the query does not fit (ANT x4: fits 128 MB, not 64 MB).
WITH bands AS (
    SELECT DISTINCT s.text_hash AS h, b.band, s.band_keys[b.band + 1] AS key
    FROM signatures s CROSS JOIN range($bands) b(band)
),
buckets AS (
    SELECT band, key, count(*) AS n FROM bands GROUP BY band, key HAVING count(*) > 1
),
members AS (
    SELECT m.band, m.key, m.h, k.n FROM bands m JOIN buckets k USING (band, key)
),
small_pairs AS (
    SELECT x.h AS a, y.h AS b
    FROM members x JOIN members y USING (band, key)
    WHERE x.n <= $max_members AND x.h < y.h
),
big AS (
    SELECT m.band, m.key, m.h, r.first_id
    FROM members m
    JOIN (SELECT text_hash, min(article_id) AS first_id FROM signatures GROUP BY text_hash) r ON r.text_hash = m.h
    WHERE m.n > $max_members
),
big_pairs AS (
    SELECT first_value(h) OVER w AS a, h AS b FROM big WINDOW w AS (PARTITION BY band, key ORDER BY first_id)
    UNION ALL
    SELECT lag(h) OVER w AS a, h AS b FROM big WINDOW w AS (PARTITION BY band, key ORDER BY first_id)
)
SELECT DISTINCT least(a, b) AS a, greatest(a, b) AS b
FROM (SELECT a, b FROM small_pairs UNION ALL SELECT a, b FROM big_pairs)
WHERE a IS NOT NULL AND a <> b;
