-- The parsed_at up to which every article passed the empty-title/body check (none: never checked).
SELECT value::TIMESTAMP FROM pipeline_state WHERE key = 'articles_checked_through';
