-- Which sources of object keys exist in the audited schema (search_path), so the audit reads the
-- old key columns before the contracts and the archive tables after them.
SELECT to_regclass('storage') IS NOT NULL AS storage,
       to_regclass('posts_image_key_archive') IS NOT NULL AS posts_archive,
       to_regclass('user_image_archive') IS NOT NULL AS user_archive,
       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('posts') AND attname = 'image_key' AND NOT attisdropped) AS posts_image_key,
       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('posts') AND attname = 'image_id' AND NOT attisdropped) AS posts_image_id,
       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('"user"') AND attname = 'image' AND NOT attisdropped) AS user_image,
       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('"user"') AND attname = 'image_id' AND NOT attisdropped) AS user_image_id;
