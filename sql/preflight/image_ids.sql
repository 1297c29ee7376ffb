-- Preflight, mid-way (after 01_expand-columns added both image_id columns): how many rows have
-- image_id set already (the backfill's progress, or the new app's writes).
SELECT 'posts' AS tbl, count(*)::bigint AS total, count(image_id)::bigint AS with_image_id FROM posts
UNION ALL
SELECT 'user', count(*)::bigint, count(image_id)::bigint FROM "user";
