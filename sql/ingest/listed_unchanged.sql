-- Of one page of listed files (registered frame `listed`: path, bytes, mtime_ns), the paths already
-- seen with the same size and mtime: they are not read again. Asked a page at a time so memory
-- holds one page of the listing, never every known file. $lo and $hi: the page's smallest and
-- largest path. Files are listed and written in walk order, so the stored rows of a page's paths
-- lie together and DuckDB skips the other row groups by their zone maps: without the bounds every
-- page scanned all of raw_documents (~50 ms a page on ANT x4 whatever its size).
SELECT l.path
FROM listed l
WHERE EXISTS (SELECT 1 FROM raw_documents r
              WHERE r.path BETWEEN $lo AND $hi
                AND r.path = l.path AND r.bytes = l.bytes AND r.mtime_ns = l.mtime_ns)
   OR EXISTS (SELECT 1 FROM rejected_documents j
              WHERE j.stage = 'ingest' AND j.path BETWEEN $lo AND $hi
                AND j.path = l.path AND j.bytes = l.bytes AND j.mtime_ns = l.mtime_ns);
