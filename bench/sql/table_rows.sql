-- Row counts of the tables the benchmark reads and writes.
SELECT (SELECT count(*) FROM posts)::bigint   AS posts,
       (SELECT count(*) FROM "user")::bigint  AS users,
       (SELECT count(*) FROM storage)::bigint AS storage,
       (SELECT count(*) FROM post_likes)::bigint AS post_likes,
       (SELECT count(*) FROM member)::bigint  AS member;
