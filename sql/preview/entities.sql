SELECT canonical_name, entity_type, mentions, articles, undated_mentions, aliases
FROM entities ORDER BY mentions DESC, entity_id LIMIT 10;
