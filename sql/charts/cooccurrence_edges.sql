-- Articles shared in [$start, $end] by each pair of the network's entities $ids (news_assets.charts).
SELECT entity_a, entity_b, sum(articles)::BIGINT FROM entity_cooccurrence
WHERE published_date BETWEEN $start AND $end
  AND entity_a IN (SELECT unnest($ids)) AND entity_b IN (SELECT unnest($ids))
GROUP BY entity_a, entity_b ORDER BY entity_a, entity_b;
