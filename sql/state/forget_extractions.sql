-- backfill --force: forget which articles of [$start, $end] were extracted, so all are redone.
DELETE FROM extraction_log WHERE published_date BETWEEN $start AND $end;
