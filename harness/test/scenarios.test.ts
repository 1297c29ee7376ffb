// Phase 6: the app's everyday writes on the migrated schema (after a full up), and the
// orphaned-storage report (sql/reports/orphaned-storage.sql).
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { baselineDb, connect } from './db.ts';
import { migrate } from '../../lib/migrate.ts';
import { sqlText } from '../../lib/sql.ts';

const CASES = fs.readFileSync(path.join(import.meta.dirname, 'cases/mapping.sql'), 'utf8');

/** A fresh database with cases/mapping.sql, the whole pack applied, and a client on it. */
async function migrated(): Promise<pg.Client> {
  const url = await baselineDb();
  const c = await connect(url);
  await c.query(CASES);
  await migrate(url, { direction: 'up' });
  return c;
}

const FK_VIOLATION = { code: '23503' };

async function one(c: pg.Client, sql: string, params: unknown[] = []) {
  const { rows } = await c.query(sql, params);
  return rows[0];
}

const newPost = `INSERT INTO posts (id, organization_id, user_id, content, image_id) VALUES ($1, $2, 'u_author', 'new post', $3)`;

describe('scenarios on the migrated schema: writes', () => {
  it('a new post may show an image of its own organization only, and one that exists', async () => {
    const c = await migrated();
    await c.query(newPost, ['p_new', 'org_a', 's_a1']);
    expect(await one(c, `SELECT p.image_id, s.file_key FROM posts p JOIN storage s ON s.id = p.image_id WHERE p.id = 'p_new'`))
      .toEqual({ image_id: 's_a1', file_key: 'org/org_a/posts/one.jpg' });
    await c.query(newPost, ['p_no_image', 'org_a', null]);

    await expect(c.query(newPost, ['p_other_org', 'org_a', 's_b_only'])).rejects.toMatchObject(FK_VIOLATION);
    // a personal upload (no organization) is not the organization's either
    await expect(c.query(newPost, ['p_personal', 'org_a', 's_avatar'])).rejects.toMatchObject(FK_VIOLATION);
    await expect(c.query(newPost, ['p_ghost', 'org_a', 's_does_not_exist'])).rejects.toMatchObject(FK_VIOLATION);
    expect((await c.query(`SELECT id FROM posts WHERE id IN ('p_new', 'p_no_image', 'p_other_org', 'p_personal', 'p_ghost') ORDER BY id`)).rows)
      .toEqual([{ id: 'p_new' }, { id: 'p_no_image' }]);
    await c.end();
  });

  it('a post\'s image can be changed (within its organization) and removed', async () => {
    const c = await migrated();
    await c.query(`UPDATE posts SET image_id = 's_unicode' WHERE id = 'p_plain'`);
    expect(await one(c, `SELECT image_id FROM posts WHERE id = 'p_plain'`)).toEqual({ image_id: 's_unicode' });
    await expect(c.query(`UPDATE posts SET image_id = 's_both_b' WHERE id = 'p_plain'`)).rejects.toMatchObject(FK_VIOLATION);
    // moving a post to another organization with its image is refused too
    await expect(c.query(`UPDATE posts SET organization_id = 'org_b' WHERE id = 'p_plain'`)).rejects.toMatchObject(FK_VIOLATION);
    await c.query(`UPDATE posts SET image_id = NULL WHERE id = 'p_plain'`);
    expect(await one(c, `SELECT image_id, organization_id FROM posts WHERE id = 'p_plain'`)).toEqual({ image_id: null, organization_id: 'org_a' });
    // the other posts that showed the same image keep it
    expect(await one(c, `SELECT image_id FROM posts WHERE id = 'p_shared1'`)).toEqual({ image_id: 's_a1' });
    await c.end();
  });

  it('a user\'s avatar can be changed to any storage row that exists, and removed', async () => {
    const c = await migrated();
    await c.query(`UPDATE "user" SET image_id = 's_av_dup2' WHERE id = 'u_avatar'`);
    await c.query(`UPDATE "user" SET image_id = 's_both_b' WHERE id = 'u_url'`); // any organization's file
    expect((await c.query(`SELECT id, image_id FROM "user" WHERE id IN ('u_avatar', 'u_url') ORDER BY id`)).rows)
      .toEqual([{ id: 'u_avatar', image_id: 's_av_dup2' }, { id: 'u_url', image_id: 's_both_b' }]);
    await expect(c.query(`UPDATE "user" SET image_id = 's_gone' WHERE id = 'u_avatar'`)).rejects.toMatchObject(FK_VIOLATION);
    await c.query(`UPDATE "user" SET image_id = NULL WHERE id = 'u_avatar'`);
    expect(await one(c, `SELECT image_id FROM "user" WHERE id = 'u_avatar'`)).toEqual({ image_id: null });
    await c.end();
  });
});

describe('scenarios on the migrated schema: deletes', () => {
  it('deleting a storage row keeps the posts and users that showed it, with image_id NULL and their organization', async () => {
    const c = await migrated();
    await c.query(`UPDATE "user" SET image_id = 's_a1' WHERE id = 'u_author'`);
    const showing = `SELECT 'posts' AS tbl, id, organization_id FROM posts WHERE image_id = 's_a1'
                     UNION ALL SELECT 'user', id, NULL FROM "user" WHERE image_id = 's_a1' ORDER BY 1, 2`;
    const before = (await c.query(showing)).rows;
    expect(before.map((r) => r.id)).toEqual(['', 'p_plain', 'p_shared1', 'u_author']);
    const likes = await one(c, `SELECT count(*)::int AS n FROM post_likes WHERE post_id = 'p_plain'`);

    await c.query(`DELETE FROM storage WHERE id = 's_a1'`);

    const after = await c.query(`
      SELECT 'posts' AS tbl, id, organization_id, image_id FROM posts WHERE id IN ('', 'p_plain', 'p_shared1')
      UNION ALL SELECT 'user', id, NULL, image_id FROM "user" WHERE id = 'u_author' ORDER BY 1, 2`);
    expect(after.rows).toEqual(before.map((r) => ({ ...r, image_id: null })));
    expect(await one(c, `SELECT count(*)::int AS n FROM post_likes WHERE post_id = 'p_plain'`)).toEqual(likes);
    // rows that showed other images are untouched
    expect(await one(c, `SELECT image_id FROM posts WHERE id = 'p_tie'`)).toEqual({ image_id: 's_tie_a' });
    await c.end();
  });

  it('deleting an organization removes its posts and storage rows; users survive', async () => {
    const c = await migrated();
    const users = (await c.query(`SELECT id FROM "user" ORDER BY id`)).rows;
    expect(await one(c, `SELECT image_id FROM "user" WHERE id = 'u_orgfile'`)).toEqual({ image_id: 's_b_only' });

    await c.query(`DELETE FROM organization WHERE id = 'org_b'`);

    expect(await one(c, `SELECT count(*)::int AS posts FROM posts WHERE organization_id = 'org_b'`)).toEqual({ posts: 0 });
    expect(await one(c, `SELECT count(*)::int AS storage FROM storage WHERE organization_id = 'org_b'`)).toEqual({ storage: 0 });
    expect(await one(c, `SELECT count(*)::int AS member FROM member WHERE organization_id = 'org_b'`)).toEqual({ member: 0 });
    expect((await c.query(`SELECT id FROM "user" ORDER BY id`)).rows).toEqual(users);
    // the user who showed org_b's file keeps existing, without it
    expect(await one(c, `SELECT image_id FROM "user" WHERE id = 'u_orgfile'`)).toEqual({ image_id: null });
    // org_a is untouched, including its post with the same key as a deleted org_b row
    expect(await one(c, `SELECT count(*)::int AS n FROM posts WHERE organization_id = 'org_a'`)).toEqual({ n: 15 });
    expect(await one(c, `SELECT image_id FROM posts WHERE id = 'p_both_a'`)).toEqual({ image_id: 's_both_a' });
    await c.end();
  });
});

describe('scenarios on the migrated schema: the orphaned-storage report', () => {
  it('the orphaned-storage report lists exactly the unreferenced rows older than the grace period', async () => {
    const c = await migrated();
    const storage = `INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id, created_at)
                     VALUES ($1, $2, 'f.jpg', 'image/jpeg', 5, 'u_author', 'org_a', now() - $3::interval)`;
    await c.query(storage, ['s_fresh', 'org/org_a/posts/fresh.jpg', '0 seconds']); // unreferenced, new
    await c.query(storage, ['s_6_days', 'org/org_a/posts/six.jpg', '6 days']); // unreferenced, inside the grace period
    await c.query(storage, ['s_8_days', 'org/org_a/posts/eight.jpg', '8 days']); // unreferenced, past it
    await c.query(storage, ['s_old_post', 'org/org_a/posts/2020.jpg', '5 years']); // referenced by a post below
    await c.query(storage, ['s_old_user', 'users/u_author/old.png', '5 years']); // referenced by a user below
    await c.query(newPost, ['p_2020', 'org_a', 's_old_post']);
    await c.query(`UPDATE "user" SET image_id = 's_old_user' WHERE id = 'u_author'`);
    // an organization logo that names an orphan's key: the row goes, the object must stay
    await c.query(`UPDATE organization SET logo = 'org/org_a/posts/orphan.jpg' WHERE id = 'org_a'`);

    const report = async (grace: string) => (await c.query(sqlText('reports/orphaned-storage.sql'), [grace])).rows;
    const rows = await report('7 days');
    expect(rows.map((r) => [r.id, r.object_in_use])).toEqual([
      ['s_old_a', true], // duplicate: s_old_z (referenced) has the same object
      ['s_orphan', true], // org_a's logo names its key
      ['s_tie_b', true], // duplicate of s_tie_a
      ['s_av_dup2', true], // duplicate of s_av_dup1
      ['s_8_days', false],
    ]);
    expect(Object.keys(rows[0])).toEqual(['id', 'file_key', 'organization_id', 'user_id', 'size', 'created_at', 'object_in_use']);
    expect(rows[1]).toMatchObject({ id: 's_orphan', file_key: 'org/org_a/posts/orphan.jpg', organization_id: 'org_a', user_id: 'u_author', size: '20' });

    // Independently: a listed row has no referrer and is older than 7 days; every other row has one or is newer.
    const truth = (await c.query(`
      SELECT s.id FROM storage s
       WHERE s.created_at < now() - interval '7 days'
         AND s.id NOT IN (SELECT image_id FROM posts WHERE image_id IS NOT NULL)
         AND s.id NOT IN (SELECT image_id FROM "user" WHERE image_id IS NOT NULL)
       ORDER BY s.id`)).rows.map((r) => r.id);
    expect(rows.map((r) => r.id).sort()).toEqual(truth);

    expect((await report('0 seconds')).map((r) => r.id)).toEqual(expect.arrayContaining(['s_fresh', 's_6_days', 's_8_days']));
    expect((await report('10 years')).map((r) => r.id)).toEqual([]);

    // Once the last referenced duplicate goes, the object is no longer in use.
    await c.query(`UPDATE posts SET image_id = NULL WHERE id = 'p_tie'`);
    const tie = (await report('7 days')).filter((r) => r.id.startsWith('s_tie'));
    expect(tie.map((r) => [r.id, r.object_in_use])).toEqual([['s_tie_a', false], ['s_tie_b', false]]);
    await c.end();
  });
});
