// Issue 12, "refuse clearly before any change": production settings that 01 must refuse before
// touching the app's tables (row-level security, a role that is not the owner, partitioned
// tables, a stray image_id, an empty database), the long storage key that 02's index now
// takes, and what make preflight reports for each, publications included. The pack runs
// through the stock CLI, as a DBA would, with the roles a production database has.
import { randomBytes } from 'node:crypto';
import { describe, it, expect, inject, afterAll } from 'vitest';
import type pg from 'pg';
import { baselineDb, casesDb, emptyDb, connect, applied } from './db.ts';
import { cli } from './cli.ts';
import { migrate, migrationNames } from '../../lib/migrate.ts';
import { sqlText } from '../../lib/sql.ts';
import { runPreflight, formatReport } from '../preflight.ts';

// Roles are cluster-wide: each test makes its own, with a random suffix, and drops them after.
const roles: string[] = [];
const usedDbs = new Set<string>();

afterAll(async () => {
  if (!roles.length) return;
  const list = roles.map((r) => `"${r}"`).join(', ');
  for (const url of usedDbs) {
    // A database already dropped (db.ts's own afterAll) owns nothing any more.
    const c = await connect(url).catch(() => undefined);
    await c?.query(`DROP OWNED BY ${list}`).catch(() => {});
    await c?.end();
  }
  const admin = await connect(inject('adminUrl'));
  for (const r of roles.reverse()) await admin.query(`DROP ROLE IF EXISTS "${r}"`).catch(() => {});
  await admin.end();
});

/** A login role (options: e.g. `IN ROLE x`, `BYPASSRLS`); returns its name and a URL for url's database. */
async function loginRole(url: string, prefix: string, options = ''): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(8).toString('hex');
  const admin = await connect(inject('adminUrl'));
  await admin.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}' ${options}`);
  await admin.end();
  roles.push(name);
  usedDbs.add(url);
  const u = new URL(url);
  u.username = name;
  u.password = password;
  return { name, url: u.toString() };
}

const APP_TABLES = ['organization', '"user"', 'member', 'storage', 'posts', 'post_likes'];

/** The app's tables handed to a non-superuser owner, as in production; returns the owner. */
async function ownedBy(url: string, schema = 'public') {
  const owner = await loginRole(url, 'imgref_owner');
  await sql(url, [
    `GRANT USAGE, CREATE ON SCHEMA ${schema} TO "${owner.name}"`,
    ...APP_TABLES.map((t) => `ALTER TABLE ${schema}.${t} OWNER TO "${owner.name}"`),
  ]);
  return owner;
}

async function sql(url: string, statements: string[]): Promise<void> {
  const c = await connect(url);
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

async function one<T = Record<string, unknown>>(url: string, query: string, params: unknown[] = []): Promise<T> {
  const c = await connect(url);
  try {
    return (await c.query(query, params)).rows[0] as T;
  } finally {
    await c.end();
  }
}

/** Which image_id columns exist, and whether pgmigrations does (and how many rows it holds). */
async function state(url: string, schema = 'public') {
  return one(url, `
    SELECT (SELECT array_agg(table_name::text ORDER BY table_name) FROM information_schema.columns
             WHERE table_schema = $1 AND column_name = 'image_id') AS image_id_on,
           to_regclass(quote_ident($1) || '.pgmigrations') IS NOT NULL AS pgmigrations`, [schema]);
}

const TENANT = `USING (organization_id = current_setting('app.org_id', true))`;

describe('01 refuses before any change, and preflight reports it: row-level security, forced (case 1)', () => {
  it('case 1: FORCE row-level security with a tenant policy, pack run as the non-superuser owner', async () => {
    const url = await casesDb();
    const owner = await ownedBy(url);
    await sql(url, ['posts', '"user"'].flatMap((t) => [
      `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant ON ${t} ${t === 'posts' ? TENANT : `USING (id = current_setting('app.user_id', true))`}`,
    ]));

    const r = await cli(['up'], { DATABASE_URL: owner.url });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      `row-level security could hide rows from role ${owner.name}: ` +
        `posts (row-level security enabled and forced; policies: tenant USING ((organization_id = current_setting('app.org_id'::text, true)))); ` +
        `"user" (row-level security enabled and forced; policies: tenant USING ((id = current_setting('app.user_id'::text, true)))). ` +
        'The pack would skip the hidden rows and lose their image keys. Fix: run the pack as a role that sees every row: ' +
        `a superuser, or a role with BYPASSRLS (as a superuser: ALTER ROLE ${owner.name} BYPASSRLS; NOBYPASSRLS after); ` +
        'to lift FORCE while the pack runs, as the owner: ALTER TABLE posts NO FORCE ROW LEVEL SECURITY; ALTER TABLE "user" NO FORCE ROW LEVEL SECURITY (FORCE again after); nothing was changed',
    );
    // Nothing of the app changed; node-pg-migrate's own table exists (it creates it first), empty.
    expect(await state(url)).toEqual({ image_id_on: null, pgmigrations: true });
    expect(await applied(url)).toEqual([]);

    // Preflight as that role: the counts it can see (none), and the loud warning why.
    const p = await runPreflight(owner.url);
    expect([p.posts.total, p.user.total]).toEqual([0, 0]);
    expect(p.production.tables.map((t) => [t.table, t.rls, t.rlsForced, t.seesAllRows, t.policies.map((x) => x.name)])).toEqual([
      ['posts', true, true, false, ['tenant']],
      ['storage', false, false, true, []],
      ['user', true, true, false, ['tenant']],
    ]);
    const text = formatReport(p);
    expect(text).toMatch(new RegExp(`^WARNING: row-level security could hide rows of posts from role ${owner.name} \\(enabled, forced; policies: tenant USING \\(\\(organization_id = current_setting`, 'm'));
    expect(text).toMatch(/^WARNING: row-level security could hide rows of "user" from role/m);
    expect(text).toMatch(/^ {2}posts: plain table, owner \S+ \(this role\), row-level security on, forced, .*ROWS CAN BE HIDDEN from this role$/m);

    // Lifting FORCE is one of the fixes the message names: then 01 runs.
    await sql(url, ['ALTER TABLE posts NO FORCE ROW LEVEL SECURITY', 'ALTER TABLE "user" NO FORCE ROW LEVEL SECURITY']);
    expect((await cli(['up', '1'], { DATABASE_URL: owner.url })).code).toBe(0);
    expect((await state(url)).image_id_on).toEqual(['posts', 'user']);
  });
});

describe('01 refuses before any change, and preflight reports it: row-level security, who sees every row (case 1)', () => {
  it('case 1: a soft-delete policy hides rows too; who bypasses row-level security and who does not', async () => {
    const url = await casesDb();
    const owner = await ownedBy(url);
    const member = await loginRole(url, 'imgref_member', `IN ROLE "${owner.name}"`);
    const bypass = await loginRole(url, 'imgref_bypass', 'BYPASSRLS');
    const reader = await loginRole(url, 'imgref_reader');
    await sql(url, [
      `ALTER TABLE posts ADD COLUMN deleted_at timestamptz`,
      `UPDATE posts SET deleted_at = now() WHERE id IN ('p_plain', 'p_url')`,
      `ALTER TABLE posts ENABLE ROW LEVEL SECURITY`,
      `CREATE POLICY soft_delete ON posts USING (deleted_at IS NULL)`,
      `ALTER TABLE storage ENABLE ROW LEVEL SECURITY`,
      `GRANT SELECT ON posts, storage, "user" TO "${reader.name}", "${bypass.name}"`,
    ]);
    const guard = sqlText('guards/rows_visible.sql');
    const asRole = async (role: string | null) => {
      const c = await connect(url);
      try {
        if (role) await c.query(`SET ROLE "${role}"`);
        await c.query(guard);
        return 'passes';
      } catch (e) {
        return (e as pg.DatabaseError).code + ' ' + (e as Error).message;
      } finally {
        await c.end();
      }
    };
    // Not forced: the owner, a member with its privileges (PostgreSQL's ownership check), a
    // BYPASSRLS role and a superuser see every row; a role with SELECT only does not.
    expect(await asRole(owner.name)).toBe('passes');
    expect(await asRole(member.name)).toBe('passes');
    expect(await asRole(bypass.name)).toBe('passes');
    expect(await asRole(null)).toBe('passes'); // the test's superuser
    expect(await asRole(reader.name)).toBe(
      `42501 row-level security could hide rows from role ${reader.name}: posts (row-level security enabled; policies: soft_delete USING ((deleted_at IS NULL))); ` +
        'storage (row-level security enabled; policies: none, so every row is hidden). The pack would skip the hidden rows and lose their image keys. ' +
        `Fix: run the pack as a role that sees every row: a superuser, or a role with BYPASSRLS (as a superuser: ALTER ROLE ${reader.name} BYPASSRLS; NOBYPASSRLS after), ` +
        `or the tables' owner (${owner.name}); nothing was changed`,
    );
    // Forced: only the superuser and the BYPASSRLS role.
    await sql(url, ['ALTER TABLE posts FORCE ROW LEVEL SECURITY']);
    expect(await asRole(owner.name)).toMatch(/^42501 row-level security could hide rows from role \S+: posts \(row-level security enabled and forced; policies: soft_delete USING \(\(deleted_at IS NULL\)\)\)\. /);
    expect(await asRole(member.name)).toMatch(/^42501 .* ALTER TABLE posts NO FORCE ROW LEVEL SECURITY \(FORCE again after\); nothing was changed$/);
    expect(await asRole(bypass.name)).toBe('passes');

    // The pack itself, as the owner: refused at 01, the two soft-deleted posts would have been lost.
    const r = await cli(['up'], { DATABASE_URL: owner.url });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('posts (row-level security enabled and forced; policies: soft_delete USING ((deleted_at IS NULL)))');
    expect((await state(url)).image_id_on).toBeNull();
    const p = await runPreflight(owner.url);
    expect(p.posts.total).toBe(14);
    expect(p.production.warnings.filter((w) => w.startsWith('row-level security could hide rows of posts'))).toHaveLength(1);
  });
});

describe('01 refuses before any change, and preflight reports it: long keys and partitioned tables (cases 11, 12)', () => {
  it('case 11: a storage.file_key over 2704 bytes: 02 builds its lookup index, the key maps, later uploads of long keys work', async () => {
    const url = await casesDb();
    const hexKey = (await one<{ k: string }>(url, `SELECT 'org/org_a/posts/' || string_agg(md5(g::text), '') AS k FROM generate_series(1, 300) g`)).k;
    expect(hexKey.length).toBeGreaterThan(2704);
    await sql(url, [
      `INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id) VALUES ('s_long', '${hexKey}', 'long.jpg', 'image/jpeg', 1, 'org_a')`,
      `INSERT INTO posts (id, organization_id, user_id, content, image_key) VALUES ('p_long', 'org_a', 'u_author', 'expect s_long', '${hexKey}')`,
      `UPDATE "user" SET image = '${hexKey}' WHERE id = 'u_missing'`,
    ]);
    // The key is too long for a btree entry, even compressed: this is what failed 02 before.
    const c = await connect(url);
    await expect(c.query(`CREATE INDEX too_long ON storage (file_key, created_at, id)`)).rejects.toMatchObject({ code: '54000' });
    await c.end();

    const before = await runPreflight(url);
    expect(before.production.longKeys).toEqual({ storage: { keys: 1, longest: hexKey.length, examples: ['s_long'] }, posts: 1, user: 1 });
    expect(before.production.warnings).toContain(
      `1 storage.file_key value(s) longer than 2704 bytes (longest ${hexKey.length}; e.g. s_long): the pack's lookup index is a hash index and maps them, but a btree index on file_key would fail on them.`,
    );

    await migrate(url, { direction: 'up' });
    expect(await applied(url)).toEqual(migrationNames());
    const mapped = await one(url, `SELECT (SELECT image_id FROM posts WHERE id = 'p_long') AS post, (SELECT image_id FROM "user" WHERE id = 'u_missing') AS "user"`);
    expect(mapped).toEqual({ post: 's_long', user: 's_long' });
    // An upload of another long key after the pack (a btree would reject it with 54000).
    await sql(url, [`INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id) VALUES ('s_long2', '${hexKey}x', 'l.jpg', 'image/jpeg', 1, 'org_a')`]);
    // The rule's lookup (WHERE file_key = $1) is served by the hash index.
    const plan = await connect(url);
    await plan.query('SET enable_seqscan = off');
    const { rows } = await plan.query(`EXPLAIN SELECT id FROM storage WHERE file_key = $1 AND organization_id = 'org_a' ORDER BY created_at, id LIMIT 1`, [hexKey]);
    await plan.end();
    expect(rows.map((x) => x['QUERY PLAN']).join('\n')).toContain('Index Scan using storage_file_key_hash_idx on storage');
  });

  it('case 12: a partitioned posts is refused at 01, before any change', async () => {
    const url = await baselineDb();
    await sql(url, [
      'DROP TABLE post_likes, posts',
      `CREATE TABLE posts (id text PRIMARY KEY, organization_id text NOT NULL REFERENCES organization (id), user_id text NOT NULL REFERENCES "user" (id),
         content text NOT NULL, image_key text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())
         PARTITION BY HASH (id)`,
      'CREATE TABLE posts_0 PARTITION OF posts FOR VALUES WITH (MODULUS 2, REMAINDER 0)',
      'CREATE TABLE posts_1 PARTITION OF posts FOR VALUES WITH (MODULUS 2, REMAINDER 1)',
    ]);
    const r = await cli(['up'], { DATABASE_URL: url });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      'the pack works on plain tables only: posts is a partitioned table. It builds its indexes with CREATE INDEX CONCURRENTLY, which PostgreSQL does not support on partitioned tables, and it checks and backfills one table each; nothing was changed',
    );
    expect(await state(url)).toEqual({ image_id_on: null, pgmigrations: true });
    const p = await runPreflight(url);
    expect(p.production.tables.find((t) => t.table === 'posts')?.kind).toBe('p');
    expect(p.production.warnings).toContain('posts is a partitioned table: the pack works on plain tables only (CREATE INDEX CONCURRENTLY), 01 refuses.');
  });
});

describe('01 refuses before any change, and preflight reports it: a stray image_id and publications (cases 13, 14)', () => {
  it('case 13: an image_id that already holds values is refused, naming the column and the rows; an empty text one is accepted', async () => {
    const url = await casesDb();
    await sql(url, [
      'ALTER TABLE posts ADD COLUMN image_id text',
      `UPDATE posts SET image_id = 's_plain' WHERE id IN ('p_plain', 'p_url', 'p_missing')`,
      'ALTER TABLE "user" ADD COLUMN image_id integer',
    ]);
    const p = await runPreflight(url);
    expect(p.production.strayImageIds).toEqual([
      { table: 'posts', type: 'text', notNull: false, hasDefault: false, withValue: 3 },
      { table: 'user', type: 'integer', notNull: false, hasDefault: false, withValue: 0 },
    ]);
    expect(p.production.warnings).toContain('posts.image_id already exists (text) and 3 rows hold a value: the pack adds that column itself, so 01 refuses until it is dropped.');

    const r = await cli(['up'], { DATABASE_URL: url });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('the pack adds image_id itself: posts.image_id already exists (text) and 3 rows hold a value; "user".image_id already exists (integer) and 0 rows hold a value; nothing was changed');
    expect(await applied(url)).toEqual([]);
    expect((await one(url, `SELECT count(image_id)::int AS n FROM posts`)).n).toBe(3);

    await sql(url, ['UPDATE posts SET image_id = NULL', 'ALTER TABLE "user" DROP COLUMN image_id']);
    expect((await cli(['up', '1'], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(['01_expand-columns']);
  });

  it('case 14: preflight warns about a FOR ALL TABLES publication and one that lists the app\'s tables', async () => {
    const url = await casesDb();
    // CREATE PUBLICATION works at wal_level replica too (it only warns that nothing is published yet).
    await sql(url, ['CREATE PUBLICATION every_table FOR ALL TABLES', 'CREATE PUBLICATION app_posts FOR TABLE posts, storage']);
    const p = await runPreflight(url);
    expect(p.production.publications).toEqual([
      { name: 'app_posts', allTables: false, wholeSchema: false, appTables: ['posts', 'storage'] },
      { name: 'every_table', allTables: true, wholeSchema: false, appTables: ['posts', 'storage', 'user'] },
    ]);
    expect(p.production.warnings).toEqual(expect.arrayContaining([
      'publication every_table is FOR ALL TABLES: it will publish the tables the pack creates (pgmigrations, posts_image_key_archive, user_image_archive); create them on every subscriber first, or publish an explicit table list (README, Production checklist).',
      'publication app_posts carries posts, storage: DDL is not replicated, so run the pack on the subscriber too, columns first (README, Production checklist).',
    ]));
    expect(formatReport(p)).toMatch(/^WARNING: publication every_table is FOR ALL TABLES/m);
  });
});

describe('01 refuses before any change, and preflight reports it: the owner\'s role and an empty database (case 15)', () => {
  it('case 15: a member of the owner\'s role is refused; PGOPTIONS=-c role=<owner> runs the pack as the owner, and the owner rolls it back', async () => {
    const url = await casesDb();
    const owner = await ownedBy(url);
    const member = await loginRole(url, 'imgref_member', `IN ROLE "${owner.name}"`);

    const r = await cli(['up'], { DATABASE_URL: member.url });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      `the pack must run as the owner of posts, "user" and storage; role ${member.name} does not own posts (owner ${owner.name}), storage (owner ${owner.name}), "user" (owner ${owner.name}). ` +
        `What the pack creates (pgmigrations, the archive tables, the functions) would belong to ${member.name}, and a later run as the owner would fail; nothing was changed`,
    );
    expect(r.out).toContain(`Connect as ${owner.name}, or keep this login and add PGOPTIONS='-c role=${owner.name}'`);
    expect(r.out).toContain(`node-pg-migrate created its own table pgmigrations, owned by ${member.name}, before this check: DROP TABLE pgmigrations before running as the owner.`);
    expect(await state(url)).toEqual({ image_id_on: null, pgmigrations: true });

    // The fix the message gives: drop node-pg-migrate's table, then the same login as the owner.
    await sql(member.url, ['DROP TABLE pgmigrations']);
    const up = await cli(['up'], { DATABASE_URL: member.url, PGOPTIONS: `-c role=${owner.name}` });
    expect(up.code, up.out).toBe(0);
    expect(await applied(url)).toEqual(migrationNames());
    const owners = await one<{ owners: string[] }>(url, `
      SELECT array_agg(DISTINCT pg_get_userbyid(relowner)::text) AS owners FROM pg_class
       WHERE relname IN ('pgmigrations', 'posts_image_key_archive', 'user_image_archive')`);
    expect(owners.owners).toEqual([owner.name]);

    const down = await cli(['down', String(migrationNames().length)], { DATABASE_URL: owner.url });
    expect(down.code, down.out).toBe(0);
    expect(await applied(url)).toEqual([]);
    expect((await state(url)).image_id_on).toBeNull();
  });

  it('case 15: on an empty database the message says what exists: node-pg-migrate\'s own table, and nothing of the app', async () => {
    const url = await emptyDb();
    const r = await cli(['up'], { DATABASE_URL: url });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('baseline schema not found in schema public: missing tables: "user", organization, posts, storage; missing columns: none');
    expect(r.out).toContain(
      "Point DATABASE_URL at the app's database (and --schema at the schema of its tables). The app's tables were not touched. " +
        'node-pg-migrate created its own table pgmigrations before this check (DROP TABLE pgmigrations removes it).',
    );
    // The CLI echoes the migration's SQL too: the error itself is what must not claim it.
    expect(r.out).toMatch(/^error: baseline schema not found/m);
    expect(r.out).not.toMatch(/^error: .*nothing was changed/im);
    expect(await state(url)).toEqual({ image_id_on: null, pgmigrations: true });
  });
});

describe('01 refuses before any change, and preflight reports it: a non-public schema', () => {
  it('a non-public schema: the guards and preflight look at the tables of --schema app, not public', async () => {
    const url = await casesDb();
    await sql(url, ['CREATE SCHEMA app', ...APP_TABLES.map((t) => `ALTER TABLE public.${t} SET SCHEMA app`)]);
    const owner = await ownedBy(url, 'app');
    await sql(url, [
      `ALTER TABLE app.posts ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE app.posts FORCE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant ON app.posts ${TENANT}`,
    ]);
    const r = await cli(['up', '--schema', 'app'], { DATABASE_URL: owner.url });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/row-level security could hide rows from role \S+: posts \(row-level security enabled and forced; policies: tenant USING/);
    expect(await state(url, 'app')).toEqual({ image_id_on: null, pgmigrations: true });

    const inApp = new URL(owner.url);
    inApp.searchParams.set('options', '-c search_path=app');
    const p = await runPreflight(inApp.toString());
    expect(p.schema).toBe('app');
    expect(p.production.tables.map((t) => [t.table, t.roleIsOwner, t.seesAllRows])).toEqual([['posts', true, false], ['storage', true, true], ['user', true, true]]);
    expect(p.production.warnings).toEqual([expect.stringMatching(/^row-level security could hide rows of posts from role/)]);

    await sql(url, ['ALTER TABLE app.posts NO FORCE ROW LEVEL SECURITY']);
    const ok = await cli(['up', '1', '--schema', 'app'], { DATABASE_URL: owner.url });
    expect(ok.code, ok.out).toBe(0);
    expect(await state(url, 'app')).toEqual({ image_id_on: ['posts', 'user'], pgmigrations: true });
    expect((await state(url, 'public')).pgmigrations).toBe(false);
  });
});
