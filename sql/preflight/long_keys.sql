-- Preflight: storage keys longer than 2704 bytes, the largest entry a btree index takes. The
-- pack's lookup index on file_key is a hash index, which takes them (02); a btree index on
-- file_key (the app's own, say) would fail on them.
SELECT count(*)::bigint                                      AS keys,
       coalesce(max(octet_length(file_key)), 0)::bigint      AS longest,
       coalesce((array_agg(id ORDER BY id))[1:5], '{}')      AS examples
  FROM storage
 WHERE octet_length(file_key) > 2704;
