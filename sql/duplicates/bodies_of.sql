-- Bodies of the articles of candidate pairs (wanted is a registered frame of article ids).
SELECT a.article_id, a.body FROM articles a JOIN wanted w USING (article_id);
