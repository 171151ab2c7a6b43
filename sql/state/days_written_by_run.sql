-- The publication days in [$start, $end] whose articles run $run_id extracted (extraction_log):
-- their mentions changed in this run, whatever a refresh's plan said about them.
SELECT DISTINCT published_date FROM extraction_log
WHERE run_id = $run_id AND published_date BETWEEN $start AND $end;
