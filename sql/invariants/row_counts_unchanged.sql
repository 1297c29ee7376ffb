-- No table of the app gains or loses a row through the pack.
SELECT table_name AS tbl, NULL::text AS row_id, format('had %s rows, now %s', n, now_n) AS detail
  FROM (SELECT r.table_name, r.n,
               (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', r.table_name),
                                                    false, true, '')))[1]::text::bigint AS now_n
          FROM verify.row_counts r) c
 WHERE n IS DISTINCT FROM now_n;
