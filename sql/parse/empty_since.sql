-- The empty-title/body check over the articles written after $after (NULL: every article), and
-- the newest parsed_at among them. Rows written before $after passed this check when it last ran
-- clean (parse/write_checked_through), so a refresh reads the bodies of its new rows, not every
-- body: on ANT x4 the whole-table check took 0.7 s, the new rows' 4 ms. Sound because parse takes
-- parsed_at inside its write lock and this read waits for that lock: a batch committed after this
-- read has a later parsed_at than any row it saw.
SELECT
    count(*) FILTER (WHERE trim(title) = '' OR trim(body) = '') AS empty_title_or_body,
    max(parsed_at) AS newest
FROM articles
WHERE parsed_at > coalesce($after, '-infinity'::TIMESTAMP);
