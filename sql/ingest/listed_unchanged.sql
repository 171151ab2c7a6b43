-- Of one page of listed files (registered frame `listed`: path, bytes, mtime_ns), the paths already
-- seen with the same size and mtime: they are not read again. Asked a page at a time so memory
-- holds one page of the listing, never every known file.
SELECT l.path
FROM listed l
WHERE EXISTS (SELECT 1 FROM raw_documents r
              WHERE r.path = l.path AND r.bytes = l.bytes AND r.mtime_ns = l.mtime_ns)
   OR EXISTS (SELECT 1 FROM rejected_documents j
              WHERE j.stage = 'ingest' AND j.path = l.path AND j.bytes = l.bytes AND j.mtime_ns = l.mtime_ns);
