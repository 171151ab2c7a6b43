-- Drop the fingerprints of vanished or changed bodies (before new ones are stored).
DELETE FROM article_fingerprints AS f
WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = f.article_id AND a.body_hash = f.body_hash);
-- Band keys of fingerprints stored before they were (the column was added later): once, then none
-- is missing. The same expression as duplicates/write_fingerprints.
UPDATE article_fingerprints
SET band_keys = CASE WHEN minhash IS NOT NULL THEN [hash(minhash[b * $rows + 1 : (b + 1) * $rows]) for b in range($bands)] END
WHERE band_keys IS NULL AND minhash IS NOT NULL;
