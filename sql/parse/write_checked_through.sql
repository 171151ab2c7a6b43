-- Every article parsed up to $through passed the empty-title/body check.
DELETE FROM pipeline_state WHERE key = 'articles_checked_through';
INSERT INTO pipeline_state VALUES ('articles_checked_through', CAST($through AS VARCHAR));
