-- Checksums of (id, value) in id order: original snapshot and current old columns.
SELECT (SELECT md5(string_agg(id || E'\t' || coalesce(quote_literal(image_key), 'NULL'), E'\n' ORDER BY id)) FROM verify.original_posts) AS posts_before,
       (SELECT md5(string_agg(id || E'\t' || coalesce(quote_literal(image_key), 'NULL'), E'\n' ORDER BY id)) FROM posts) AS posts_after,
       (SELECT md5(string_agg(id || E'\t' || coalesce(quote_literal(image), 'NULL'), E'\n' ORDER BY id)) FROM verify.original_user) AS user_before,
       (SELECT md5(string_agg(id || E'\t' || coalesce(quote_literal(image), 'NULL'), E'\n' ORDER BY id)) FROM "user") AS user_after;
