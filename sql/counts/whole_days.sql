-- Every day of [$start, $end] in recount_days is to be recounted whole (a run without a refresh's
-- tag: the UI, a backfill, a sensor): whole_days, which the counts/rebuild_* files read.
CREATE OR REPLACE TEMP TABLE whole_days AS
SELECT published_date FROM recount_days WHERE published_date BETWEEN $start AND $end;
