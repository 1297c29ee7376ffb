// Issue 12 ("Production conditions"): rollbacks that never bring back removed values (case 2),
// the old app's semantics during the transition (3), a non-public schema with DML-only app roles
// and hardened default privileges (5), the backfill against concurrent storage deletes (8),
// database-level statement timeouts (9), and ups after partial downs (15). Each `it` has a
// database of its own.
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { baselineDb, casesDb, connect, CASES, withDb } from './db.ts';
import { bulkPosts } from './bulk.ts';
import { cli } from './cli.ts';
import { migrate, migrationNames } from '../../lib/migrate.ts';
import { sqlText } from '../../lib/sql.ts';
import { stepStatements } from '../../lib/plan.ts';
import { packVars } from '../../lib/settings.ts';

const names = migrationNames();
const upTo = (name: string) => names.indexOf(name) + 1;
const postRow = async (c: pg.Client, id: string, schema = 'public') =>
  (await c.query(`SELECT image_key, image_id FROM ${schema}.posts WHERE id = $1`, [id])).rows[0];
const userRow = async (c: pg.Client, id: string) => (await c.query('SELECT image, image_id FROM "user" WHERE id = $1', [id])).rows[0];

describe('case 2: a rollback never brings back a value the app removed', () => {
  it('after the contracts: replaced or cleared images stay as the app left them; deleted files keep their key', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      // u_url had an archived OAuth URL; the new app sets an avatar, then removes it.
      await c.query(`UPDATE "user" SET image_id = 's_avatar' WHERE id = 'u_url'`);
      await c.query(`UPDATE "user" SET image_id = NULL WHERE id = 'u_url'`);
      // p_url had an archived URL; the new app gives it an image.
      await c.query(`UPDATE posts SET image_id = 's_a1' WHERE id = 'p_url'`);
      // p_tie's file is deleted: the old app would still hold its key.
      await c.query(`DELETE FROM storage WHERE id = 's_tie_a'`);
    });
    await migrate(url, { direction: 'down', count: 2 });
    await withDb(url, async (c) => {
      expect(await userRow(c, 'u_url')).toEqual({ image: null, image_id: null });
      expect(await postRow(c, 'p_url')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: 's_a1' });
      expect((await postRow(c, 'p_tie')).image_key).toBe('org/org_a/posts/tie.jpg');
      // Untouched unmapped values still come back exactly.
      expect(await userRow(c, 'u_gh')).toEqual({ image: 'https://avatars.githubusercontent.com/u/1?v=4', image_id: null });
    });
  });

  it("during the contract's down: an old-app write to a row not yet restored wins over the restore", async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('08_contract-posts') });
    await withDb(url, async (c) => {
      // The first part of 08's down, as its wrapper sends it: the column is back, the trigger on.
      await c.query(stepStatements('08_contract-posts', 'revert', packVars())[0]);
      // Not restored yet: the old app clears one key, edits another post, the new app sets an image.
      expect((await postRow(c, 'p_plain')).image_key).toBeNull();
      await c.query(`UPDATE posts SET image_key = NULL WHERE id = 'p_plain'`);
      await c.query(`UPDATE posts SET content = 'edited' WHERE id = 'p_url'`);
      await c.query(`UPDATE posts SET image_id = 's_tie_b' WHERE id = 'p_tie'`);
      expect(await postRow(c, 'p_plain')).toEqual({ image_key: null, image_id: null });
      expect(await postRow(c, 'p_url')).toEqual({ image_key: 'https://cdn.example.com/org/org_a/posts/one.jpg', image_id: null });
      expect(await postRow(c, 'p_tie')).toEqual({ image_key: 'org/org_a/posts/tie.jpg', image_id: 's_tie_b' });
    });
    // The down, run whole (it resumes), restores the rest and keeps those writes.
    await migrate(url, { direction: 'down', count: 1 });
    await withDb(url, async (c) => {
      expect(await postRow(c, 'p_plain')).toEqual({ image_key: null, image_id: null });
      expect(await postRow(c, 'p_tie')).toEqual({ image_key: 'org/org_a/posts/tie.jpg', image_id: 's_tie_b' });
      expect(await postRow(c, 'p_other')).toEqual({ image_key: 'org/org_b/posts/only-b.jpg', image_id: null });
      const left = await c.query(`SELECT to_regclass('posts_image_key_archive') AS a,
                                         (SELECT count(*)::int FROM pg_trigger WHERE tgname = 'image_ref_key_written') AS t`);
      expect(left.rows[0]).toEqual({ a: null, t: 0 });
    });
  });
});

describe("case 3: the old app's semantics during the transition", () => {
  it('replacing a file (delete and re-insert its key in one transaction) keeps the key and maps the new row', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys') });
    await withDb(url, async (c) => {
      await c.query('BEGIN');
      await c.query(`DELETE FROM storage WHERE id IN ('s_avatar', 's_a1')`);
      await c.query(`INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id) VALUES
                       ('s_avatar2', 'users/u_avatar/avatar/1.png', '1.png', 'image/png', 1, NULL),
                       ('s_a1b', 'org/org_a/posts/one.jpg', 'o.jpg', 'image/jpeg', 1, 'org_a')`);
      await c.query('COMMIT');
      expect(await userRow(c, 'u_avatar')).toEqual({ image: 'users/u_avatar/avatar/1.png', image_id: 's_avatar2' });
      expect(await postRow(c, 'p_plain')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: 's_a1b' });
    });
  });

  it('a post or user written before its upload gets image_id when the upload arrives; the contract needs no backfill', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys') });
    await withDb(url, async (c) => {
      await c.query(`INSERT INTO posts (id, organization_id, user_id, content, image_key)
                     VALUES ('p_early', 'org_a', 'u_author', 'x', 'org/org_a/posts/late.jpg')`);
      await c.query(`UPDATE "user" SET image = 'users/u_author/late.png' WHERE id = 'u_author'`);
      expect((await postRow(c, 'p_early')).image_id).toBeNull();
      await c.query(`INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id) VALUES
                       ('s_late', 'org/org_a/posts/late.jpg', 'l.jpg', 'image/jpeg', 1, 'org_a'),
                       ('s_late_b', 'org/org_a/posts/late.jpg', 'l.jpg', 'image/jpeg', 1, 'org_b'),
                       ('s_late_av', 'users/u_author/late.png', 'l.png', 'image/png', 1, NULL)`);
      expect(await postRow(c, 'p_early')).toEqual({ image_key: 'org/org_a/posts/late.jpg', image_id: 's_late' });
      expect(await userRow(c, 'u_author')).toEqual({ image: 'users/u_author/late.png', image_id: 's_late_av' });
    });
    await migrate(url, { direction: 'up' });
    expect(await withDb(url, (c) => c.query(`SELECT image_id FROM posts WHERE id = 'p_early'`))).toMatchObject({ rows: [{ image_id: 's_late' }] });
  });
});

describe('case 5: a non-public schema, DML-only app roles, hardened default privileges', () => {
  it("the app's roles keep every write, with their own search_path", async () => {
    const url = await baselineDb();
    const role = `app_rw_${Date.now()}`;
    await withDb(url, async (c) => {
      await c.query(`CREATE SCHEMA app; SET search_path = app;`);
      await c.query(sqlText('baseline.sql'));
      await c.query(CASES);
      await c.query(`ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);
      await c.query(`CREATE ROLE ${role}; GRANT USAGE ON SCHEMA app TO ${role};
                     GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO ${role}`);
    });
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys'), schema: 'app' });
    await withDb(url, async (c) => {
      await c.query(`SET ROLE ${role}; SET search_path = "$user", public`);
      await c.query(`UPDATE app.posts SET image_key = 'org/org_a/posts/old.jpg' WHERE id = 'p_plain'`);
      expect(await postRow(c, 'p_plain', 'app')).toEqual({ image_key: 'org/org_a/posts/old.jpg', image_id: 's_old_z' });
      await c.query(`DELETE FROM app.storage WHERE id = 's_old_z'`);
      expect(await postRow(c, 'p_plain', 'app')).toEqual({ image_key: 'org/org_a/posts/old.jpg', image_id: 's_old_a' });
      await c.query(`INSERT INTO app.storage (id, file_key, file_name, content_type, size, organization_id)
                     VALUES ('s_new', 'org/org_a/posts/new.jpg', 'n.jpg', 'image/jpeg', 1, 'org_a')`);
      await c.query(`UPDATE app.posts SET image_id = 's_new' WHERE id = 'p_plain'`);
      expect(await postRow(c, 'p_plain', 'app')).toEqual({ image_key: 'org/org_a/posts/new.jpg', image_id: 's_new' });
      await c.query(`RESET ROLE`);
      // Every function of the pack is pinned to the schema.
      const unpinned = await c.query(`SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'app'::regnamespace
                                         AND p.proname LIKE 'image\\_ref\\_%' AND p.prokind = 'f'
                                         AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) s WHERE s ~ '^search_path="?app"?(, pg_temp)?$')`);
      expect(unpinned.rows).toEqual([]);
    });
    // The rest of the pack and its full rollback, in that schema.
    await migrate(url, { direction: 'up', schema: 'app' });
    await migrate(url, { direction: 'down', schema: 'app' });
    await withDb(url, async (c) => {
      expect((await c.query(`SELECT image_key FROM app.posts WHERE id = 'p_plain'`)).rows[0].image_key).toBe('org/org_a/posts/new.jpg');
      await c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    });
  });
});

describe('case 8: the backfill survives concurrent storage deletes', () => {
  it('a storage row deleted between the lookup and the foreign key check: the batch retries, the key stays', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('05_transition-sync-triggers') });
    const deleter = await connect(url);
    try {
      // The delete is in flight while the backfill resolves p_plain to s_a1, and commits after.
      await deleter.query('BEGIN');
      await deleter.query(`DELETE FROM storage WHERE id = 's_a1'`);
      const backfill = migrate(url, { direction: 'up', count: 1 });
      await new Promise((r) => setTimeout(r, 400));
      await deleter.query('COMMIT');
      expect(await backfill).toEqual(['06_backfill']);
    } finally {
      await deleter.end();
    }
    await withDb(url, async (c) => expect(await postRow(c, 'p_plain')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: null }));
  });
});

describe('case 9: a database-level statement_timeout does not stop the pack', () => {
  it('up and down with the stock CLI under statement_timeout = 100ms', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 20_000);
    await withDb(url, (c) => c.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET statement_timeout = ''100ms''', current_database()); END $$`));
    const up = await cli(['up'], { DATABASE_URL: url });
    expect(up.out).not.toMatch(/canceling statement due to statement timeout/);
    expect(up.code).toBe(0);
    const down = await cli(['down', String(names.length)], { DATABASE_URL: url });
    expect(down.out).not.toMatch(/canceling statement due to statement timeout/);
    expect(down.code).toBe(0);
    await withDb(url, async (c) => {
      const invalid = await c.query(sqlText('lib/invalid_indexes.sql'));
      expect(invalid.rows).toEqual([]);
    });
  });
});

describe('case 15: up again after a partial down', () => {
  it('down to 04, old-app key changes without triggers, then up: the backfill repairs them', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys') });
    await migrate(url, { direction: 'down', count: 3 });
    await withDb(url, (c) => c.query(`UPDATE posts SET image_key = 'org/org_a/posts/old.jpg' WHERE id = 'p_plain'`));
    await migrate(url, { direction: 'up' });
    expect(await withDb(url, (c) => c.query(`SELECT image_id FROM posts WHERE id = 'p_plain'`))).toMatchObject({ rows: [{ image_id: 's_old_z' }] });
  });

  it('down to 03, a referenced storage row deleted, then up: 07 validates and the key is kept', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys') });
    await migrate(url, { direction: 'down', count: 4 });
    await withDb(url, (c) => c.query(`DELETE FROM storage WHERE id = 's_a1'`));
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys') - upTo('03_expand-image-id-indexes') });
    await withDb(url, async (c) => expect(await postRow(c, 'p_plain')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: null }));
  });

  it('02 killed mid-build, then a full down: no INVALID index is left behind', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: 1 });
    const holder = await connect(url);
    try {
      // An open transaction makes the concurrent build wait; its lock_timeout cancels it halfway.
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1 FROM storage LIMIT 1');
      await withDb(url, async (c) => {
        await c.query(`SET lock_timeout = '200ms'`);
        await expect(c.query('CREATE INDEX CONCURRENTLY storage_file_key_hash_idx ON storage USING hash (file_key)')).rejects.toMatchObject({ code: '55P03' });
      });
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    await withDb(url, async (c) => expect((await c.query(sqlText('lib/invalid_indexes.sql'))).rows).toEqual([{ name: 'storage_file_key_hash_idx' }]));
    await migrate(url, { direction: 'down' });
    await withDb(url, async (c) => {
      expect((await c.query(sqlText('lib/invalid_indexes.sql'))).rows).toEqual([]);
      expect((await c.query(`SELECT to_regclass('storage_file_key_hash_idx') AS i`)).rows[0].i).toBeNull();
    });
  });
});
