// Issue 9, item 3: posts' foreign key is the one Drizzle writes, posts (image_id) -> storage (id)
// ON DELETE SET NULL, and "a post shows only a file of its own organization" is a trigger's job
// (migrations/04_expand-foreign-keys/deploy.sql). Each property of the old composite
// key is kept: a storage delete nulls only image_id; a post can reference only a storage row of
// its own organization, also under concurrent writes; a file cannot move to another organization
// while posts show it. Each `it` has a database of its own.
import { randomBytes } from 'node:crypto';
import { describe, it, expect, inject } from 'vitest';
import type pg from 'pg';
import { baselineDb, casesDb, connect, CASES, withDb } from './db.ts';
import { migrate, migrationNames } from '../../lib/migrate.ts';
import { sqlText } from '../../lib/sql.ts';
import { checkInvariant } from '../invariants.ts';

const names = migrationNames();
const upTo = (name: string) => names.indexOf(name) + 1;

/** The error a query raises (the test fails when it raises none). */
async function refusal(c: pg.Client, text: string): Promise<{ code: string; message: string }> {
  const err = await c.query(text).then(
    () => undefined,
    (e: { code: string; message: string }) => e,
  );
  expect(err, `expected a refusal of: ${text}`).toBeDefined();
  return { code: err!.code, message: err!.message };
}

const post = async (c: pg.Client, id: string, schema = 'public') =>
  (await c.query(`SELECT organization_id, image_id FROM ${schema}.posts WHERE id = $1`, [id])).rows[0];

const PACK_TRIGGERS = `SELECT t.tgname AS name, t.tgrelid::regclass::text AS "table"
                         FROM pg_trigger t
                        WHERE t.tgname LIKE 'image\\_ref\\_same\\_organization%' AND NOT t.tgisinternal
                        ORDER BY 1, 2`;

describe("posts' foreign key, as Drizzle writes it", () => {
  it('04 adds posts (image_id) -> storage (id) ON DELETE SET NULL and the same-organization triggers; 07 validates it; 02 builds no (organization_id, id) index; the downs remove it all', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys') });
    await withDb(url, async (c) => {
      const fk = await c.query(`SELECT pg_get_constraintdef(oid) AS def, convalidated AS valid FROM pg_constraint
                                 WHERE conname = 'posts_image_id_fkey' AND conrelid = 'posts'::regclass`);
      expect(fk.rows).toEqual([{ def: 'FOREIGN KEY (image_id) REFERENCES storage(id) ON DELETE SET NULL', valid: true }]);
      expect((await c.query(`SELECT to_regclass('storage_organization_id_id_key') AS i`)).rows[0].i).toBeNull();
      expect((await c.query(PACK_TRIGGERS)).rows).toEqual([
        { name: 'image_ref_same_organization', table: 'storage' },
        { name: 'image_ref_same_organization_insert', table: 'posts' },
        { name: 'image_ref_same_organization_update', table: 'posts' },
      ]);
    });
    // Down past 04: the key, the triggers and their functions go.
    await migrate(url, { direction: 'down', count: upTo('07_validate-foreign-keys') - upTo('03_expand-image-id-indexes') });
    await withDb(url, async (c) => {
      expect((await c.query(PACK_TRIGGERS)).rows).toEqual([]);
      const left = await c.query(`SELECT (SELECT count(*)::int FROM pg_constraint WHERE conname = 'posts_image_id_fkey') AS fk,
                                         (SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'image\\_ref\\_%organization%') AS functions`);
      expect(left.rows[0]).toEqual({ fk: 0, functions: 0 });
    });
  });
});

describe('the invariant constraints_valid', () => {
  it('holds after the whole pack, and reports a same-organization trigger that is disabled or gone', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      expect(await checkInvariant(c, 'constraints_valid', 'contracted')).toMatchObject({ ok: true, violations: 0 });
      await c.query('ALTER TABLE posts DISABLE TRIGGER image_ref_same_organization_update');
      await c.query('DROP TRIGGER image_ref_same_organization ON storage');
      const r = await checkInvariant(c, 'constraints_valid', 'contracted');
      expect(r.violations).toBe(2);
      expect(r.examples).toEqual(expect.arrayContaining([
        { tbl: 'pg_trigger', row_id: 'image_ref_same_organization_update', detail: 'disabled on posts' },
        { tbl: 'pg_trigger', row_id: 'image_ref_same_organization', detail: 'missing on storage' },
      ]));
    });
  });
});

describe('a storage delete nulls only image_id', () => {
  it('after the whole pack: the post keeps its organization and everything else; users too', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      const before = (await c.query(`SELECT * FROM posts WHERE id IN ('p_plain', 'p_shared1') ORDER BY id`)).rows;
      expect(before.map((r) => r.image_id)).toEqual(['s_a1', 's_a1']);
      await c.query(`DELETE FROM storage WHERE id IN ('s_a1', 's_avatar')`);
      const after = (await c.query(`SELECT * FROM posts WHERE id IN ('p_plain', 'p_shared1') ORDER BY id`)).rows;
      expect(after).toEqual(before.map((r) => ({ ...r, image_id: null })));
      expect((await c.query(`SELECT image_id FROM "user" WHERE id = 'u_avatar'`)).rows[0].image_id).toBeNull();
      expect((await c.query(`SELECT count(*)::int AS n FROM post_likes WHERE post_id = 'p_plain'`)).rows[0].n).toBe(2);
    });
  });
});

describe('a post can reference only a storage row of its own organization', () => {
  it('after the whole pack (the check survives the contract): cross-organization inserts and updates are refused, naming the post, the file and both organizations', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      const insert = await refusal(c, `INSERT INTO posts (id, organization_id, user_id, content, image_id)
                                        VALUES ('p_new', 'org_a', 'u_author', 'x', 's_b_only')`);
      expect(insert).toEqual({ code: '23503', message: 'posts p_new: image_id s_b_only is a file of organization org_b, the post is in organization org_a' });
      const update = await refusal(c, `UPDATE posts SET image_id = 's_b_only' WHERE id = 'p_plain'`);
      expect(update).toEqual({ code: '23503', message: 'posts p_plain: image_id s_b_only is a file of organization org_b, the post is in organization org_a' });
      // A personal upload (no organization) is no post's file either.
      const personal = await refusal(c, `UPDATE posts SET image_id = 's_avatar' WHERE id = 'p_plain'`);
      expect(personal.message).toBe('posts p_plain: image_id s_avatar is a file of no organization, the post is in organization org_a');
      // Moving a post that shows an image to another organization.
      const moved = await refusal(c, `UPDATE posts SET organization_id = 'org_b' WHERE id = 'p_plain'`);
      expect(moved).toEqual({ code: '23503', message: 'posts p_plain: image_id s_a1 is a file of organization org_a, the post is in organization org_b' });
      // A file that does not exist is still the foreign key's refusal.
      expect(await refusal(c, `UPDATE posts SET image_id = 's_ghost' WHERE id = 'p_plain'`)).toMatchObject({ code: '23503', message: expect.stringContaining('posts_image_id_fkey') });
      // What the rule allows goes through.
      await c.query(`UPDATE posts SET image_id = 's_orphan' WHERE id = 'p_plain'`);
      await c.query(`UPDATE posts SET organization_id = 'org_b', image_id = 's_b_only' WHERE id = 'p_shared1'`);
      expect(await post(c, 'p_plain')).toEqual({ organization_id: 'org_a', image_id: 's_orphan' });
      expect(await post(c, 'p_shared1')).toEqual({ organization_id: 'org_b', image_id: 's_b_only' });
    });
  });

  it('during the transition: a new-app write of another organization\'s image_id is refused the same way', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: upTo('07_validate-foreign-keys') });
    await withDb(url, async (c) => {
      const r = await refusal(c, `UPDATE posts SET image_id = 's_both_b' WHERE id = 'p_both_a'`);
      expect(r).toEqual({ code: '23503', message: 'posts p_both_a: image_id s_both_b is a file of organization org_b, the post is in organization org_a' });
      expect(await post(c, 'p_both_a')).toEqual({ organization_id: 'org_a', image_id: 's_both_a' });
    });
  });

  it("a file cannot move to another organization while a post shows it; it can once no post does", async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      const r = await refusal(c, `UPDATE storage SET organization_id = 'org_b' WHERE id = 's_tie_a'`);
      expect(r).toEqual({ code: '23503', message: 'storage s_tie_a: posts p_tie of organization org_a shows it; it cannot move to organization org_b' });
      expect((await refusal(c, `UPDATE storage SET organization_id = NULL WHERE id = 's_tie_a'`)).message)
        .toBe('storage s_tie_a: posts p_tie of organization org_a shows it; it cannot move to no organization');
      await c.query(`UPDATE storage SET organization_id = 'org_b' WHERE id = 's_orphan'`);
      await c.query(`UPDATE posts SET image_id = NULL WHERE id = 'p_tie'`);
      await c.query(`UPDATE storage SET organization_id = 'org_b' WHERE id = 's_tie_a'`);
      // Other columns of a referenced file change freely.
      await c.query(`UPDATE storage SET file_name = 'renamed.jpg' WHERE id = 's_a1'`);
    });
  });
});

describe('a post can reference only a storage row of its own organization: concurrent writes', () => {
  it('concurrent writes: an organization change waits for an uncommitted post that shows the file, and the reverse, then refuses', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    const [a, b] = [await connect(url), await connect(url)];
    try {
      // A post takes the file in an open transaction; the move of the file waits, then sees it.
      await a.query('BEGIN');
      await a.query(`INSERT INTO posts (id, organization_id, user_id, content, image_id) VALUES ('p_race1', 'org_a', 'u_author', 'x', 's_orphan')`);
      const move = refusal(b, `UPDATE storage SET organization_id = 'org_b' WHERE id = 's_orphan'`);
      await new Promise((r) => setTimeout(r, 300));
      await a.query('COMMIT');
      expect((await move).message).toBe('storage s_orphan: posts p_race1 of organization org_a shows it; it cannot move to organization org_b');

      // The file moves in an open transaction; a post of the old organization waits, then sees it.
      await a.query(`DELETE FROM posts WHERE id = 'p_race1'`);
      await a.query('BEGIN');
      await a.query(`UPDATE storage SET organization_id = 'org_b' WHERE id = 's_orphan'`);
      const take = refusal(b, `INSERT INTO posts (id, organization_id, user_id, content, image_id) VALUES ('p_race2', 'org_a', 'u_author', 'x', 's_orphan')`);
      await new Promise((r) => setTimeout(r, 300));
      await a.query('COMMIT');
      expect((await take).message).toBe('posts p_race2: image_id s_orphan is a file of organization org_b, the post is in organization org_a');
    } finally {
      await a.end();
      await b.end();
    }
    await withDb(url, async (c) => {
      const cross = await c.query(`SELECT p.id FROM posts p JOIN storage s ON s.id = p.image_id WHERE s.organization_id IS DISTINCT FROM p.organization_id`);
      expect(cross.rows).toEqual([]);
    });
  });
});

describe('a non-public schema, a DML-only app role, hardened default privileges', () => {
  it('the app role gets the same refusals and writes what the rule allows; deletes null only image_id', async () => {
    const url = await baselineDb();
    const role = `app_fk_${Date.now()}`;
    await withDb(url, async (c) => {
      await c.query(`CREATE SCHEMA app; SET search_path = app;`);
      await c.query(sqlText('baseline.sql'));
      await c.query(CASES);
      await c.query(`ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);
      await c.query(`CREATE ROLE ${role}; GRANT USAGE ON SCHEMA app TO ${role};
                     GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO ${role}`);
    });
    await migrate(url, { direction: 'up', schema: 'app' });
    await withDb(url, async (c) => {
      await c.query(`SET ROLE ${role}; SET search_path = "$user", public`);
      expect(await refusal(c, `UPDATE app.posts SET image_id = 's_b_only' WHERE id = 'p_plain'`)).toEqual({
        code: '23503',
        message: 'posts p_plain: image_id s_b_only is a file of organization org_b, the post is in organization org_a',
      });
      expect((await refusal(c, `UPDATE app.storage SET organization_id = 'org_b' WHERE id = 's_a1'`)).message)
        .toBe('storage s_a1: posts p_plain of organization org_a shows it; it cannot move to organization org_b');
      await c.query(`INSERT INTO app.posts (id, organization_id, user_id, content, image_id) VALUES ('p_app', 'org_a', 'u_author', 'x', 's_orphan')`);
      await c.query(`DELETE FROM app.storage WHERE id = 's_orphan'`);
      expect(await post(c, 'p_app', 'app')).toEqual({ organization_id: 'org_a', image_id: null });
      await c.query('RESET ROLE');
    });
    await migrate(url, { direction: 'down', schema: 'app' });
    await withDb(url, async (c) => {
      expect((await c.query(PACK_TRIGGERS)).rows).toEqual([]);
      await c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    });
  });
});

describe('row-level security on storage, after the pack', () => {
  it('a forced tenant policy: the owner writes posts with files the policy shows; a hidden file is refused, not let through', async () => {
    const url = await casesDb();
    const owner = `imgref_fk_owner_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(8).toString('hex');
    await withDb(inject('adminUrl'), (c) => c.query(`CREATE ROLE "${owner}" LOGIN PASSWORD '${password}'`));
    const ownerUrl = Object.assign(new URL(url), { username: owner, password }).toString();
    try {
      await withDb(url, (c) => c.query(`GRANT USAGE, CREATE ON SCHEMA public TO "${owner}";
        ${['organization', '"user"', 'member', 'storage', 'posts', 'post_likes'].map((t) => `ALTER TABLE ${t} OWNER TO "${owner}";`).join('\n')}`));
      await migrate(ownerUrl, { direction: 'up' });
      await withDb(url, (c) => c.query(`ALTER TABLE storage ENABLE ROW LEVEL SECURITY; ALTER TABLE storage FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant ON storage USING (organization_id = current_setting('app.org_id', true))`));
      await withDb(ownerUrl, async (c) => {
        await c.query(`SET app.org_id = 'org_a'`);
        await c.query(`INSERT INTO posts (id, organization_id, user_id, content, image_id) VALUES ('p_rls', 'org_a', 'u_author', 'x', 's_orphan')`);
        expect(await post(c, 'p_rls')).toEqual({ organization_id: 'org_a', image_id: 's_orphan' });
        expect(await refusal(c, `UPDATE posts SET image_id = 's_b_only' WHERE id = 'p_rls'`)).toEqual({
          code: '23503',
          message: 'posts p_rls: image_id s_b_only is hidden from the organization check by row-level security on storage, the post is in organization org_a',
        });
      });
    } finally {
      await withDb(url, (c) => c.query(`REASSIGN OWNED BY "${owner}" TO CURRENT_USER; DROP OWNED BY "${owner}"`));
      await withDb(inject('adminUrl'), (c) => c.query(`DROP ROLE "${owner}"`));
    }
  });
});
