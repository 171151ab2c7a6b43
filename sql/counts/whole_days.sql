-- The days of [$start, $end] in whole_set (a registered frame: every day of a run without a
-- refresh's tag, or the days a refresh's range run could not bring up to date by difference) are
-- to be recounted whole: whole_days, which the counts/rebuild_* files read.
CREATE OR REPLACE TEMP TABLE whole_days AS
SELECT published_date FROM whole_set WHERE published_date BETWEEN $start AND $end;
