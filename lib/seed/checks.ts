// Measures, with SQL only, the edge cases seed() claims to have planted, and fingerprints each
// table (md5 of its rows in a fixed order) so two seedings can be compared byte for byte.
// Used by `SEED_CHECK=1 npx tsx seeds/cli.ts`.
import type pg from 'pg';
import type { SeedSummary } from './seed.ts';

export interface CheckReport {
  /** measured count per check */
  measured: Record<string, number>;
  /** checks whose measured value contradicts the summary (empty when all agree) */
  failures: string[];
  /** md5 per table */
  md5: Record<string, string>;
}

// Mapping rule, posts: same org, file_key byte-equal. Users: file_key byte-equal, any org or none.
const POST_CHECKS = `
WITH p AS NOT MATERIALIZED (SELECT id, organization_id AS org, image_key AS k FROM posts WHERE image_key IS NOT NULL),
own AS (
  SELECT p.id, count(s.id) AS n
    FROM p JOIN storage s ON s.file_key = p.k AND s.organization_id = p.org
   GROUP BY p.id
),
own_rows AS (
  SELECT organization_id AS org, file_key AS k, created_at,
         min(created_at) OVER (PARTITION BY organization_id, file_key) AS min_at,
         count(*) OVER (PARTITION BY organization_id, file_key) AS n
    FROM storage WHERE organization_id IS NOT NULL
),
grp AS ( -- (org, key) groups with 2+ rows: their oldest created_at, and whether two rows tie on it
  SELECT org, k, min(min_at) AS min_at, count(*) FILTER (WHERE created_at = min_at) > 1 AS tie
    FROM own_rows WHERE n > 1 GROUP BY org, k
),
upper_hit AS (
  SELECT DISTINCT p.id FROM p JOIN storage s ON upper(s.file_key) = p.k AND s.organization_id = p.org
   WHERE p.k LIKE 'ORG/%' AND s.file_key <> p.k
),
trim_hit AS (
  SELECT p.id, p.k FROM p JOIN storage s ON s.file_key = btrim(p.k) AND s.organization_id = p.org
   WHERE p.k <> btrim(p.k) AND btrim(p.k) <> ''
),
decoy AS ( -- duplicate keys that also have an OLDER row in another organization
  SELECT DISTINCT p.id
    FROM p JOIN grp g ON g.org = p.org AND g.k = p.k
    JOIN storage o ON o.file_key = p.k AND o.organization_id <> p.org
   WHERE o.created_at < g.min_at
),
shared AS (SELECT org, k FROM p JOIN own USING (id) GROUP BY org, k HAVING count(*) > 1)
SELECT
  (SELECT count(*) FROM p)                                                        AS posts_with_key,
  (SELECT count(*) FROM own)                                                      AS posts_mapped,
  (SELECT count(*) FROM own WHERE n > 1)                                          AS posts_duplicate_key,
  (SELECT count(*) FROM grp g WHERE g.tie
      AND EXISTS (SELECT 1 FROM posts x WHERE x.organization_id = g.org AND x.image_key = g.k)) AS posts_duplicate_tie_groups,
  (SELECT count(*) FROM decoy)                                                    AS posts_duplicate_decoys,
  (SELECT count(*) FROM p WHERE p.k LIKE 'org/%' AND p.k = btrim(p.k)
      AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.file_key = p.k))             AS posts_missing_key,
  (SELECT count(*) FROM p WHERE EXISTS (SELECT 1 FROM storage s WHERE s.file_key = p.k)
      AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.file_key = p.k AND s.organization_id = p.org)) AS posts_other_org_only,
  (SELECT count(*) FROM p WHERE p.k LIKE 'https://%')                              AS posts_urls,
  (SELECT count(*) FROM p WHERE btrim(p.k) = '')                                   AS posts_blanks,
  (SELECT count(*) FROM trim_hit WHERE k LIKE ' %')                               AS posts_leading_space,
  (SELECT count(*) FROM trim_hit WHERE k LIKE '% ')                               AS posts_trailing_space,
  (SELECT count(*) FROM upper_hit)                                                AS posts_upper_case,
  (SELECT count(*) FROM shared)                                                   AS posts_shared_keys,
  (SELECT count(*) FROM p JOIN shared s USING (org, k))                           AS posts_sharing_a_key
`;

const USER_CHECKS = `
WITH u AS NOT MATERIALIZED (SELECT id, image AS k FROM "user" WHERE image IS NOT NULL),
hit AS (
  SELECT u.id, count(s.id) AS n, bool_or(s.organization_id IS NOT NULL) AS org_upload
    FROM u JOIN storage s ON s.file_key = u.k GROUP BY u.id
),
grp AS (
  SELECT file_key AS k, count(*) FILTER (WHERE created_at = min_at) > 1 AS tie
    FROM (SELECT s.*, min(created_at) OVER (PARTITION BY file_key) AS min_at FROM storage s) x
   GROUP BY file_key HAVING count(*) > 1
)
SELECT
  (SELECT count(*) FROM u)                                              AS users_with_image,
  (SELECT count(*) FROM hit)                                            AS users_mapped,
  (SELECT count(*) FROM hit WHERE org_upload)                           AS users_org_upload_key,
  (SELECT count(*) FROM hit WHERE n > 1)                                AS users_duplicate_key,
  (SELECT count(*) FROM u JOIN grp g ON g.k = u.k WHERE g.tie)          AS users_duplicate_tie_groups,
  (SELECT count(*) FROM u WHERE u.k LIKE 'https://%')                   AS users_urls,
  (SELECT count(*) FROM u WHERE u.k LIKE 'users/%' AND u.k = btrim(u.k)
      AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.file_key = u.k))  AS users_missing_key,
  (SELECT count(*) FROM u WHERE btrim(u.k) = '')                        AS users_blanks,
  (SELECT count(*) FROM u JOIN storage s ON s.file_key = btrim(u.k) WHERE u.k LIKE ' %') AS users_leading_space,
  (SELECT count(*) FROM u JOIN storage s ON s.file_key = btrim(u.k) WHERE u.k LIKE '% ' AND btrim(u.k) <> '') AS users_trailing_space,
  (SELECT count(*) FROM u JOIN storage s ON upper(s.file_key) = u.k AND s.file_key <> u.k WHERE u.k LIKE 'USERS/%') AS users_upper_case
`;

// Unreferenced: no post or user names the key, not even in a mangled form (spaces, upper case, URL).
const STORAGE_CHECKS = `
WITH refs AS (
  SELECT image_key AS k FROM posts WHERE image_key IS NOT NULL
  UNION SELECT btrim(image_key) FROM posts WHERE image_key IS NOT NULL
  UNION SELECT regexp_replace(image_key, '^https://[^/]+/', '') FROM posts WHERE image_key LIKE 'https://%'
  UNION SELECT image FROM "user" WHERE image IS NOT NULL
  UNION SELECT btrim(image) FROM "user" WHERE image IS NOT NULL
)
SELECT
  (SELECT count(*) FROM storage s
    WHERE NOT EXISTS (SELECT 1 FROM refs r WHERE r.k = s.file_key)
      AND NOT EXISTS (SELECT 1 FROM refs r WHERE r.k = upper(s.file_key))) AS storage_unreferenced,
  (SELECT count(*) FROM (
     SELECT DISTINCT ON (organization_id, file_key) organization_id, file_key, ctid AS winner_ctid,
            min(ctid) OVER (PARTITION BY organization_id, file_key) AS first_ctid,
            count(*) OVER (PARTITION BY organization_id, file_key) AS n
       FROM storage ORDER BY organization_id, file_key, created_at, id) w
    WHERE n > 1 AND winner_ctid <> first_ctid) AS duplicates_winner_not_first_inserted,
  (SELECT count(*) FROM (
     SELECT organization_id, file_key
       FROM (SELECT s.*, ctid AS c, min(created_at) OVER w AS min_at,
                    first_value(id) OVER (w ORDER BY created_at, id) AS winner
               FROM storage s WINDOW w AS (PARTITION BY organization_id, file_key)) x
      WHERE created_at = min_at
      GROUP BY organization_id, file_key
     HAVING count(*) > 1
        AND max(c) = max(c) FILTER (WHERE id = winner)) t) AS tie_winner_inserted_last
`;

// Things that must never happen (each should be 0).
const SANITY_CHECKS = `
SELECT
  (SELECT count(*) FROM posts p
    WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.organization_id = p.organization_id AND m.user_id = p.user_id))
    AS bad_post_author_not_member,
  (SELECT count(*) FROM post_likes l JOIN posts p ON p.id = l.post_id
    WHERE l.created_at < p.created_at
       OR NOT EXISTS (SELECT 1 FROM member m WHERE m.organization_id = p.organization_id AND m.user_id = l.user_id))
    AS bad_like,
  (SELECT count(*) FROM storage s WHERE s.organization_id IS NULL
      AND (s.file_key NOT LIKE 'users/' || s.user_id || '/avatar/%' OR s.user_id IS NULL)) AS bad_avatar_row,
  (SELECT count(*) FROM storage s WHERE s.organization_id IS NOT NULL
      AND s.file_key NOT LIKE 'org/' || s.organization_id || '/posts/%') AS org_upload_row_other_org_prefix,
  (SELECT count(*) FROM posts WHERE updated_at < created_at) AS bad_post_updated_at,
  (SELECT count(*) FROM "user" WHERE updated_at < created_at) AS bad_user_updated_at,
  (SELECT count(*) FROM posts p JOIN organization o ON o.id = p.organization_id WHERE p.created_at < o.created_at)
    AS bad_post_before_org,
  (SELECT count(*) FROM (SELECT organization_id FROM member WHERE role = 'owner' GROUP BY 1 HAVING count(*) <> 1) x)
    + (SELECT count(*) FROM organization o WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.organization_id = o.id AND m.role = 'owner'))
    AS bad_org_owner
`;

const TABLES: Record<string, string> = {
  organization: 'organization',
  user: '"user"',
  member: 'member',
  storage: 'storage',
  posts: 'posts',
  post_likes: 'post_likes',
};

export async function checkSeed(client: pg.ClientBase, summary: SeedSummary): Promise<CheckReport> {
  const measured: Record<string, number> = {};
  await client.query(`SET work_mem = '256MB'`);
  for (const sql of [POST_CHECKS, USER_CHECKS, STORAGE_CHECKS, SANITY_CHECKS]) {
    const { rows } = await client.query(sql);
    for (const [k, v] of Object.entries(rows[0] as Record<string, string>)) measured[k] = Number(v);
  }
  for (const [name, t] of Object.entries(TABLES)) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`);
    measured[`rows_${name}`] = Number(rows[0].n);
  }

  const e = summary.edgeCases;
  const want: [string, number, 'eq' | 'min'][] = [
    ['posts_with_key', e.posts.withImage, 'eq'],
    ['posts_mapped', summary.expected.postsMapped, 'eq'],
    ['posts_duplicate_key', e.posts.duplicateKey, 'eq'],
    ['posts_duplicate_tie_groups', e.posts.duplicateTieGroups, 'eq'],
    ['posts_duplicate_decoys', e.posts.duplicateOtherOrgDecoys, 'eq'],
    ['posts_missing_key', e.posts.missingKey, 'eq'],
    ['posts_other_org_only', e.posts.otherOrgOnly, 'eq'],
    ['posts_urls', e.posts.urls, 'eq'],
    ['posts_blanks', e.posts.blanks, 'eq'],
    ['posts_leading_space', e.posts.leadingSpace, 'eq'],
    ['posts_trailing_space', e.posts.trailingSpace, 'eq'],
    ['posts_upper_case', e.posts.upperCase, 'eq'],
    ['posts_shared_keys', e.posts.sharedKeys, 'eq'],
    ['users_with_image', e.users.withImage, 'eq'],
    ['users_mapped', summary.expected.usersMapped, 'eq'],
    ['users_org_upload_key', e.users.orgUploadKey, 'eq'],
    ['users_duplicate_key', e.users.duplicateKey, 'eq'],
    ['users_duplicate_tie_groups', e.users.duplicateTieGroups, 'eq'],
    ['users_urls', e.users.oauthUrl, 'eq'],
    ['users_missing_key', e.users.missingKey, 'eq'],
    ['users_blanks', e.users.blanks, 'eq'],
    ['users_leading_space', e.users.leadingSpace, 'eq'],
    ['users_trailing_space', e.users.trailingSpace, 'eq'],
    ['users_upper_case', e.users.upperCase, 'eq'],
    ['storage_unreferenced', e.storage.orphanUploads + e.storage.replacedAvatars, 'eq'],
    ['duplicates_winner_not_first_inserted', e.posts.duplicateKey + e.users.duplicateKey > 0 ? 1 : 0, 'min'],
    ['org_upload_row_other_org_prefix', e.posts.duplicateOtherOrgDecoys, 'eq'],
    ['tie_winner_inserted_last', e.posts.duplicateTieGroups + e.users.duplicateTieGroups, 'eq'],
    ...Object.keys(TABLES).map((t): [string, number, 'eq'] => [`rows_${t}`, summary.rows[t as keyof SeedSummary['rows']], 'eq']),
  ];
  for (const k of Object.keys(measured)) if (k.startsWith('bad_')) want.push([k, 0, 'eq']);
  const failures: string[] = [];
  for (const [k, v, how] of want) {
    const got = measured[k];
    if (how === 'eq' ? got !== v : got < v) failures.push(`${k}: measured ${got}, expected ${how === 'eq' ? '' : '>= '}${v}`);
  }

  const md5: Record<string, string> = {};
  for (const [name, t] of Object.entries(TABLES)) {
    const { rows } = await client.query<{ h: string }>(
      `SELECT md5(string_agg(x::text, E'\\n' ORDER BY x::text COLLATE "C")) AS h FROM ${t} x`,
    );
    md5[name] = rows[0].h;
  }
  await client.query('RESET work_mem');
  return { measured, failures, md5 };
}
