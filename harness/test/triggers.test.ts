// The transition triggers: old-app writes (key), new-app writes (image_id), and contradictions.
// Each `it` has a database of its own: the hand-made cases with every step before the backfill
// applied (expand, indexes, keys, triggers), cloned from one template.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type pg from 'pg';
import { connect } from './db.ts';
import { before } from './migrations/walk.ts';
import { stepsOf } from '../../lib/plan.ts';

const fresh = before(stepsOf('backfill')[0]);

// Every test in this file gets its own fresh database and client `c`.
let c: pg.Client;
const post = async (id: string) =>
  (await c.query('SELECT image_key, image_id FROM posts WHERE id = $1', [id])).rows[0];
const user = async (id: string) => (await c.query('SELECT image, image_id FROM "user" WHERE id = $1', [id])).rows[0];
const insertPost = (id: string, key: string | null) =>
  c.query(`INSERT INTO posts (id, organization_id, user_id, content, image_key) VALUES ($1, 'org_a', 'u_author', 'x', $2)`, [id, key]);

beforeEach(async () => {
  c = await connect(await fresh());
});
afterEach(() => c.end());

describe('transition sync triggers: old-app writes', () => {
  it('old app: inserting a key resolves image_id by the rule', async () => {
    await c.query(`INSERT INTO posts (id, organization_id, user_id, content, image_key)
                   VALUES ('t1', 'org_a', 'u_author', 'x', 'org/org_a/posts/tie.jpg')`);
    expect(await post('t1')).toEqual({ image_key: 'org/org_a/posts/tie.jpg', image_id: 's_tie_a' });
  });

  it('old app: an unmapped key keeps the key and leaves image_id NULL', async () => {
    await c.query(`INSERT INTO posts (id, organization_id, user_id, content, image_key)
                   VALUES ('t2', 'org_a', 'u_author', 'x', 'org/org_b/posts/only-b.jpg')`);
    expect(await post('t2')).toEqual({ image_key: 'org/org_b/posts/only-b.jpg', image_id: null });
  });

  it('any write to a row not yet backfilled resolves it, so the page-ordered backfill cannot miss a moved row', async () => {
    expect(await post('p_plain')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: null });
    await c.query(`UPDATE posts SET content = 'edited' WHERE id IN ('p_plain', 'p_url')`);
    expect(await post('p_plain')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: 's_a1' });
    expect(await post('p_url')).toEqual({ image_key: 'https://cdn.example.com/org/org_a/posts/one.jpg', image_id: null });
    await c.query(`UPDATE "user" SET name = name || '!' WHERE id = 'u_dup'`);
    expect(await user('u_dup')).toEqual({ image: 'users/u_dup/avatar/dup.png', image_id: 's_av_dup1' });
  });

  it('old app: changing the key re-resolves, clearing it clears image_id', async () => {
    await insertPost('t1', 'org/org_a/posts/tie.jpg');
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/old.jpg' WHERE id = 't1'`);
    expect(await post('t1')).toEqual({ image_key: 'org/org_a/posts/old.jpg', image_id: 's_old_z' });
    await c.query(`UPDATE posts SET image_key = NULL WHERE id = 't1'`);
    expect(await post('t1')).toEqual({ image_key: null, image_id: null });
  });
});

describe('transition sync triggers: new-app writes', () => {
  it('new app: setting image_id sets the key to that file_key, even a non-oldest duplicate', async () => {
    await insertPost('t1', null);
    await c.query(`UPDATE posts SET image_id = 's_tie_b' WHERE id = 't1'`);
    expect(await post('t1')).toEqual({ image_key: 'org/org_a/posts/tie.jpg', image_id: 's_tie_b' });
    await c.query(`UPDATE posts SET image_id = NULL WHERE id = 't1'`);
    expect(await post('t1')).toEqual({ image_key: null, image_id: null });
  });

  it('new app: an image of another organization or a missing id is rejected by the foreign key', async () => {
    await insertPost('t1', null);
    await expect(c.query(`UPDATE posts SET image_id = 's_b_only' WHERE id = 't1'`)).rejects.toMatchObject({ code: '23503' });
    await expect(c.query(`UPDATE posts SET image_id = 'nope' WHERE id = 't1'`)).rejects.toMatchObject({ code: '23503' });
  });
});

describe('transition sync triggers: writes to both columns', () => {
  it('writing both columns consistently is accepted', async () => {
    await insertPost('t1', null);
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/one.jpg', image_id = 's_a1' WHERE id = 't1'`);
    expect(await post('t1')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: 's_a1' });
  });

  it('writing both columns in contradicting ways fails with a clear message', async () => {
    await insertPost('t1', 'org/org_a/posts/one.jpg');
    await expect(
      c.query(`UPDATE posts SET image_key = 'org/org_a/posts/old.jpg', image_id = 's_tie_a' WHERE id = 't1'`),
    ).rejects.toMatchObject({ code: '23514', message: expect.stringMatching(/posts t1: image_key .* and image_id .* disagree/) });
    await expect(
      c.query(`INSERT INTO posts (id, organization_id, user_id, content, image_key, image_id)
               VALUES ('t3', 'org_a', 'u_author', 'x', 'org/org_a/posts/one.jpg', NULL), ('t4', 'org_a', 'u_author', 'x', NULL, 's_a1')`),
    ).resolves.toBeTruthy();
    await expect(
      c.query(`UPDATE posts SET image_key = 'org/org_a/posts/tie.jpg', image_id = NULL WHERE id = 't4'`),
    ).rejects.toMatchObject({ code: '23514' });
    expect(await post('t1')).toEqual({ image_key: 'org/org_a/posts/one.jpg', image_id: 's_a1' });
  });
});

describe('transition sync triggers: organization moves, storage deletes, users', () => {
  it('moving a post to another organization re-resolves its key there', async () => {
    await insertPost('t2', 'org/org_b/posts/only-b.jpg');
    await c.query(`UPDATE posts SET organization_id = 'org_b', image_key = 'shared/logo.png' WHERE id = 't2'`);
    expect(await post('t2')).toEqual({ image_key: 'shared/logo.png', image_id: 's_both_b' });
  });

  it('deleting a storage row nulls image_id and keeps the key, as the old app would', async () => {
    await insertPost('t1', null);
    await c.query(`INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id)
                   VALUES ('s_tmp', 'org/org_a/posts/tmp.jpg', 't', 'image/jpeg', 1, 'org_a')`);
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/tmp.jpg' WHERE id = 't1'`);
    expect((await post('t1')).image_id).toBe('s_tmp');
    await c.query(`DELETE FROM storage WHERE id = 's_tmp'`);
    expect(await post('t1')).toEqual({ image_key: 'org/org_a/posts/tmp.jpg', image_id: null });
  });

  it('user: better-auth writing an OAuth URL clears image_id; a new avatar id sets image', async () => {
    await c.query(`UPDATE "user" SET image = 'https://avatars.githubusercontent.com/u/9' WHERE id = 'u_avatar'`);
    expect(await user('u_avatar')).toEqual({ image: 'https://avatars.githubusercontent.com/u/9', image_id: null });
    await c.query(`UPDATE "user" SET image_id = 's_av_dup2' WHERE id = 'u_avatar'`);
    expect(await user('u_avatar')).toEqual({ image: 'users/u_dup/avatar/dup.png', image_id: 's_av_dup2' });
    await c.query(`INSERT INTO "user" (id, name, email, image) VALUES ('u_new', 'n', 'n@x.test', 'org/org_b/posts/only-b.jpg')`);
    expect(await user('u_new')).toEqual({ image: 'org/org_b/posts/only-b.jpg', image_id: 's_b_only' });
    await expect(c.query(`UPDATE "user" SET image = 'x', image_id = 's_a1' WHERE id = 'u_new'`)).rejects.toMatchObject({
      code: '23514',
      message: expect.stringContaining('user u_new: image'),
    });
  });
});
