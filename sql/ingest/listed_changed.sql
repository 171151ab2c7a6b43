-- Of one page of listed files (registered frame `listed`: path, bytes, mtime_ns), the paths not
-- seen before with the same size and mtime: new or changed files, to be read. The rest are not
-- read again; asking for the few to read rather than the many to skip returns no rows on an
-- unchanged page. Asked a page at a time so memory holds one page of the listing, never every
-- known file. $lo and $hi: the page's smallest and largest path. Files are listed and written in
-- walk order, so the stored rows of a page's paths lie together and DuckDB skips the other row
-- groups by their zone maps: without the bounds every page scanned all of raw_documents (~50 ms
-- a page on ANT x4 whatever its size).
SELECT l.path
FROM listed l
WHERE NOT EXISTS (SELECT 1 FROM raw_documents r
                  WHERE r.path BETWEEN $lo AND $hi
                    AND r.path = l.path AND r.bytes = l.bytes AND r.mtime_ns = l.mtime_ns)
  AND NOT EXISTS (SELECT 1 FROM rejected_documents j
                  WHERE j.stage = 'ingest' AND j.path BETWEEN $lo AND $hi
                    AND j.path = l.path AND j.bytes = l.bytes AND j.mtime_ns = l.mtime_ns);
