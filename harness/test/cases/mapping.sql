-- Edge cases of the mapping rule. Each post's content and each user's name starts with
-- "expect <storage id>" or "expect none": the row the rule must pick, and why.

INSERT INTO organization (id, name, slug, created_at) VALUES
  ('org_a', 'Acme', 'acme', '2024-01-01'),
  ('org_b', 'Bolt', 'bolt', '2024-01-01');

INSERT INTO "user" (id, name, email, image) VALUES
  ('u_author',  'expect none: no image',                               'author@x.test', NULL),
  ('u_avatar',  'expect s_avatar: personal upload (no organization)',  'a@x.test', 'users/u_avatar/avatar/1.png'),
  ('u_orgfile', 'expect s_b_only: a user may use any organization''s file', 'b@x.test', 'org/org_b/posts/only-b.jpg'),
  ('u_dup',     'expect s_av_dup1: duplicate avatar key, oldest wins',  'c@x.test', 'users/u_dup/avatar/dup.png'),
  ('u_url',     'expect none: OAuth avatar URL',                        'd@x.test', 'https://lh3.googleusercontent.com/a/ACg8ocK'),
  ('u_gh',      'expect none: GitHub avatar URL',                       'e@x.test', 'https://avatars.githubusercontent.com/u/1?v=4'),
  ('u_blank',   'expect none: blank',                                   'f@x.test', ''),
  ('u_space',   'expect none: trailing space',                          'g@x.test', 'users/u_avatar/avatar/1.png '),
  ('u_case',    'expect none: upper case',                              'h@x.test', 'USERS/U_AVATAR/AVATAR/1.PNG'),
  ('u_missing', 'expect none: no storage row',                          'i@x.test', 'users/ghost/avatar/none.png');

INSERT INTO member (id, organization_id, user_id, role, created_at) VALUES
  ('m1', 'org_a', 'u_author', 'owner', '2024-01-01'),
  ('m2', 'org_b', 'u_author', 'member', '2024-01-01');

INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id, created_at) VALUES
  ('s_avatar',  'users/u_avatar/avatar/1.png',  '1.png',  'image/png',  10, 'u_avatar', NULL,    '2025-01-01'),
  ('s_av_dup2', 'users/u_dup/avatar/dup.png',   'd.png',  'image/png',  10, 'u_dup',    NULL,    '2025-03-01'),
  ('s_av_dup1', 'users/u_dup/avatar/dup.png',   'd.png',  'image/png',  10, 'u_dup',    NULL,    '2025-02-01'),
  ('s_a1',      'org/org_a/posts/one.jpg',      'o.jpg',  'image/jpeg', 20, 'u_author', 'org_a', '2025-01-01'),
  -- same key, same organization, same created_at: the smallest id wins
  ('s_tie_b',   'org/org_a/posts/tie.jpg',      't.jpg',  'image/jpeg', 20, 'u_author', 'org_a', '2025-01-05'),
  ('s_tie_a',   'org/org_a/posts/tie.jpg',      't.jpg',  'image/jpeg', 20, 'u_author', 'org_a', '2025-01-05'),
  -- same key, an older row with a larger id: created_at wins over id
  ('s_old_z',   'org/org_a/posts/old.jpg',      'o.jpg',  'image/jpeg', 20, 'u_author', 'org_a', '2024-06-01'),
  ('s_old_a',   'org/org_a/posts/old.jpg',      'o.jpg',  'image/jpeg', 20, 'u_author', 'org_a', '2024-07-01'),
  -- the same key in both organizations: each post picks its own organization's row
  ('s_both_b',  'shared/logo.png',              'l.png',  'image/png',  20, 'u_author', 'org_b', '2023-01-01'),
  ('s_both_a',  'shared/logo.png',              'l.png',  'image/png',  20, 'u_author', 'org_a', '2025-01-01'),
  ('s_b_only',  'org/org_b/posts/only-b.jpg',   'b.jpg',  'image/jpeg', 20, 'u_author', 'org_b', '2025-01-01'),
  -- nothing references it
  ('s_orphan',  'org/org_a/posts/orphan.jpg',   'x.jpg',  'image/jpeg', 20, 'u_author', 'org_a', '2025-01-01'),
  -- a key with odd bytes: matched exactly, not normalised
  ('s_unicode', 'org/org_a/posts/caf' || U&'\00E9' || '.jpg', 'c.jpg', 'image/jpeg', 20, 'u_author', 'org_a', '2025-01-01');

INSERT INTO posts (id, organization_id, user_id, content, image_key) VALUES
  ('p_plain',    'org_a', 'u_author', 'expect s_a1: one storage row',                      'org/org_a/posts/one.jpg'),
  ('p_shared1',  'org_a', 'u_author', 'expect s_a1: several posts share one image',        'org/org_a/posts/one.jpg'),
  ('p_tie',      'org_a', 'u_author', 'expect s_tie_a: tie on created_at, smallest id',    'org/org_a/posts/tie.jpg'),
  ('p_old',      'org_a', 'u_author', 'expect s_old_z: oldest created_at wins over id',    'org/org_a/posts/old.jpg'),
  ('p_both_a',   'org_a', 'u_author', 'expect s_both_a: own organization, not the older other one', 'shared/logo.png'),
  ('p_both_b',   'org_b', 'u_author', 'expect s_both_b: own organization',                 'shared/logo.png'),
  ('p_other',    'org_a', 'u_author', 'expect none: key stored only under another organization', 'org/org_b/posts/only-b.jpg'),
  ('p_missing',  'org_a', 'u_author', 'expect none: no storage row',                       'org/org_a/posts/ghost.jpg'),
  ('p_null',     'org_a', 'u_author', 'expect none: no image',                             NULL),
  ('p_blank',    'org_a', 'u_author', 'expect none: blank key',                            ''),
  ('p_lead',     'org_a', 'u_author', 'expect none: leading space',                        ' org/org_a/posts/one.jpg'),
  ('p_case',     'org_a', 'u_author', 'expect none: case variant',                         'ORG/org_a/posts/one.jpg'),
  ('p_url',      'org_a', 'u_author', 'expect none: URL',                                  'https://cdn.example.com/org/org_a/posts/one.jpg'),
  ('p_nfd',      'org_a', 'u_author', 'expect none: same text, other Unicode normal form', 'org/org_a/posts/cafe' || U&'\0301' || '.jpg'),
  ('p_unicode',  'org_a', 'u_author', 'expect s_unicode: exact bytes',                     'org/org_a/posts/caf' || U&'\00E9' || '.jpg'),
  -- an empty-string primary key sorts first: the keyset backfill must not skip it
  ('',           'org_a', 'u_author', 'expect s_a1: empty-string id',                      'org/org_a/posts/one.jpg');

INSERT INTO post_likes (post_id, user_id) VALUES ('p_plain', 'u_avatar'), ('p_plain', 'u_dup'), ('p_tie', 'u_url');
