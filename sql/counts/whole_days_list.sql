-- The days counts/delta_* left to be recounted whole.
SELECT published_date FROM whole_days ORDER BY published_date;
