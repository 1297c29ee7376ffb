// Issue 9, item 4: the model layer (app/model/) on real PostgreSQL, at the pack's "after" state:
// the data is written on the baseline schema (raw keys, as the old app left them), then the whole
// pack runs, then the model reads and writes through Drizzle.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as model from '../../../app/model/index.ts';
import { posts } from '../../../app/schema/index.ts';
import { presignedGetSigner } from '../../../app/storage.ts';
import { migrate } from '../../../lib/migrate.ts';
import { sqlText } from '../../../lib/sql.ts';
import { baselineDb, connect } from '../db.ts';
import { freshBucket } from '../s3.ts';

const T0 = `'2025-01-01 00:00:00+00'`;
const DATA = `
  INSERT INTO organization (id, name, slug, created_at) VALUES ('org_a', 'A', 'a', ${T0}), ('org_b', 'B', 'b', ${T0}), ('org_m', 'M', 'm', ${T0});
  INSERT INTO "user" (id, name, email, image) VALUES
    ('u_alice', 'Alice', 'alice@x.test', 'users/u_alice/avatar.png'),
    ('u_bob',   'Bob',   'bob@x.test',   'https://lh3.googleusercontent.com/a/bob=s96-c'),
    ('u_carol', 'Carol', 'carol@x.test', NULL),
    ('u_dave',  'Dave',  'dave@x.test',  'users/u_dave/avatar.png');
  INSERT INTO member (id, organization_id, user_id, created_at) VALUES
    ('m1', 'org_a', 'u_alice', ${T0}), ('m2', 'org_a', 'u_bob', ${T0}), ('m3', 'org_b', 'u_bob', ${T0}),
    ('m4', 'org_b', 'u_carol', ${T0}), ('m5', 'org_m', 'u_alice', ${T0});
  INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id) VALUES
    ('s_a1', 'org/org_a/posts/1.jpg', '1.jpg', 'image/jpeg', 100, 'u_alice', 'org_a'),
    ('s_a2', 'org/org_a/posts/2.jpg', '2.jpg', 'image/jpeg', 200, 'u_bob', 'org_a'),
    ('s_a3', 'org/org_a/posts/3.jpg', '3.jpg', 'image/jpeg', 300, 'u_bob', 'org_a'),
    ('s_b1', 'org/org_b/posts/1.jpg', '1.jpg', 'image/jpeg', 300, 'u_carol', 'org_b'),
    ('sa_alice', 'users/u_alice/avatar.png', 'avatar.png', 'image/png', 10, 'u_alice', NULL),
    ('sa_bob',   'users/u_bob/avatar.png',   'avatar.png', 'image/png', 15, 'u_bob', NULL),
    ('sa_dave',  'users/u_dave/avatar.png',  'avatar.png', 'image/png', 20, 'u_dave', NULL);
  -- pa3 and pa4 share created_at (id breaks the tie); pa5 is one microsecond later.
  INSERT INTO posts (id, organization_id, user_id, content, image_key, created_at) VALUES
    ('pa1', 'org_a', 'u_alice', 'one',   'org/org_a/posts/1.jpg',       '2025-01-01 10:00:00.000001+00'),
    ('pa2', 'org_a', 'u_bob',   'two',   NULL,                          '2025-01-02 10:00:00.5+00'),
    ('pa3', 'org_a', 'u_bob',   'three', 'org/org_a/posts/2.jpg',       '2025-01-03 10:00:00.123456+00'),
    ('pa4', 'org_a', 'u_alice', 'four',  'org/org_a/posts/missing.jpg', '2025-01-03 10:00:00.123456+00'),
    ('pa5', 'org_a', 'u_alice', 'five',  'org/org_a/posts/1.jpg',       '2025-01-03 10:00:00.123457+00'),
    ('pa6', 'org_a', 'u_bob',   'six',   NULL,                          '2025-01-04 10:00:00+00'),
    ('pa7', 'org_a', 'u_alice', 'seven', 'org/org_a/posts/2.jpg',       '2025-01-05 10:00:00+00'),
    ('pb1', 'org_b', 'u_carol', 'other', 'org/org_b/posts/1.jpg',       '2025-01-06 10:00:00+00'),
    -- org_m: three posts one microsecond apart, all within the same millisecond
    ('pm1', 'org_m', 'u_alice', 'm1', NULL, '2025-02-01 10:00:00.123455+00'),
    ('pm2', 'org_m', 'u_alice', 'm2', NULL, '2025-02-01 10:00:00.123456+00'),
    ('pm3', 'org_m', 'u_alice', 'm3', NULL, '2025-02-01 10:00:00.123457+00');
  INSERT INTO post_likes (post_id, user_id) VALUES
    ('pa7', 'u_alice'), ('pa7', 'u_bob'), ('pa7', 'u_carol'), ('pa5', 'u_bob'), ('pa4', 'u_alice'),
    ('pa3', 'u_bob'), ('pa3', 'u_alice'), ('pa1', 'u_dave'), ('pb1', 'u_carol');`;

const FEED_A = ['pa7', 'pa6', 'pa5', 'pa4', 'pa3', 'pa2', 'pa1'];
const BOB_URL = 'https://lh3.googleusercontent.com/a/bob=s96-c';

let c: pg.Client;
let db: NodePgDatabase;

beforeAll(async () => {
  const url = await baselineDb();
  const setup = await connect(url);
  await setup.query(DATA);
  await setup.end();
  await migrate(url, { direction: 'up' });
  c = await connect(url);
  db = drizzle(c);
});

afterAll(async () => {
  await c?.end();
});

const postRow = async (id: string) => (await c.query('SELECT organization_id, content, image_id FROM posts WHERE id = $1', [id])).rows[0];

describe('posts take imageId', () => {
  it('createPost with an upload of its organization stores image_id; getPostById joins its key', async () => {
    const p = await model.createPost(db, { organizationId: 'org_a', userId: 'u_bob', content: 'new', imageId: 's_a3' });
    expect(p.id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await postRow(p.id)).toEqual({ organization_id: 'org_a', content: 'new', image_id: 's_a3' });
    const got = await model.getPostById(db, p.id);
    expect(got).toMatchObject({ id: p.id, organizationId: 'org_a', userId: 'u_bob', imageId: 's_a3', imageKey: 'org/org_a/posts/3.jpg' });
    expect(got!.createdAt).toBeInstanceOf(Date);
    const plain = await model.createPost(db, { organizationId: 'org_a', userId: 'u_bob', content: 'no image' });
    expect((await model.getPostById(db, plain.id))!.imageKey).toBeNull();
  });

  it('createPost refuses an upload of another organization, or a personal one, with a clear error and writes nothing', async () => {
    for (const imageId of ['s_b1', 'sa_alice']) {
      const err = await model.createPost(db, { id: `px_${imageId}`, organizationId: 'org_a', userId: 'u_alice', content: 'x', imageId }).catch((e) => e);
      expect(err).toBeInstanceOf(model.ImageOrganizationError);
      expect(err.message).toBe(`image ${imageId} is not an upload of organization org_a`);
      expect(err.code).toBeUndefined(); // not a database error passed through
      expect(await postRow(`px_${imageId}`)).toBeUndefined();
    }
    // the database refuses the same row too (the pack's same-organization trigger), but as a
    // constraint error with its own SQLSTATE: the model's check answers first
    const direct = await db.insert(posts).values({ id: 'px_direct', organizationId: 'org_a', userId: 'u_alice', content: 'x', imageId: 's_b1' }).catch((e) => e);
    expect(direct).not.toBeInstanceOf(model.ModelError);
    expect(direct.cause?.code).toBe('23503');
    const missing = await model.createPost(db, { organizationId: 'org_a', userId: 'u_alice', content: 'x', imageId: 'nope' }).catch((e) => e);
    expect(missing).toBeInstanceOf(model.ImageNotFoundError);
    expect(missing.message).toBe('image nope does not exist');
  });

  it('updatePost changes content and image; another organization\'s image is refused and the post stays as it was', async () => {
    const p = await model.createPost(db, { organizationId: 'org_a', userId: 'u_alice', content: 'before', imageId: 's_a1' });
    const changed = await model.updatePost(db, 'org_a', p.id, { content: 'after', imageId: 's_a2' });
    expect(changed).toMatchObject({ id: p.id, content: 'after', imageId: 's_a2' });
    expect(changed.updatedAt.getTime()).toBeGreaterThanOrEqual(p.updatedAt.getTime());
    await expect(model.updatePost(db, 'org_a', p.id, { content: 'lost', imageId: 's_b1' })).rejects.toThrow(model.ImageOrganizationError);
    expect(await postRow(p.id)).toEqual({ organization_id: 'org_a', content: 'after', image_id: 's_a2' });
    // the content alone keeps the image
    expect((await model.updatePost(db, 'org_a', p.id, { content: 'again' })).imageId).toBe('s_a2');
  });

  it('updatePost on a post of another organization, or none, is PostNotFoundError', async () => {
    await expect(model.updatePost(db, 'org_b', 'pa1', { content: 'hijack' })).rejects.toThrow(model.PostNotFoundError);
    await expect(model.updatePost(db, 'org_a', 'nope', { content: 'x' })).rejects.toThrow('post nope does not exist in organization org_a');
    expect((await postRow('pa1')).content).toBe('one');
  });

  it('updatePostImage sets and clears the image', async () => {
    const p = await model.createPost(db, { organizationId: 'org_a', userId: 'u_alice', content: 'img' });
    expect((await model.updatePostImage(db, 'org_a', p.id, 's_a3')).imageId).toBe('s_a3');
    expect((await model.getPostById(db, p.id))!.imageKey).toBe('org/org_a/posts/3.jpg');
    expect((await model.updatePostImage(db, 'org_a', p.id, null)).imageId).toBeNull();
    expect((await model.getPostById(db, p.id))!.imageKey).toBeNull();
    await expect(model.updatePostImage(db, 'org_a', p.id, 'sa_dave')).rejects.toThrow(model.ImageOrganizationError);
  });

  it('getPostById: the pack\'s mapping (unmapped keys are NULL), null for an unknown id, NULL key once the upload is deleted', async () => {
    expect(await model.getPostById(db, 'pa7')).toMatchObject({ imageId: 's_a2', imageKey: 'org/org_a/posts/2.jpg', content: 'seven' });
    expect(await model.getPostById(db, 'pa4')).toMatchObject({ imageId: null, imageKey: null });
    expect(await model.getPostById(db, 'nope')).toBeNull();
    await c.query(`INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id) VALUES ('s_gone', 'org/org_a/posts/gone.jpg', 'g', 'image/jpeg', 1, 'org_a')`);
    const p = await model.createPost(db, { organizationId: 'org_a', userId: 'u_alice', content: 'gone', imageId: 's_gone' });
    await c.query(`DELETE FROM storage WHERE id = 's_gone'`);
    expect(await model.getPostById(db, p.id)).toMatchObject({ id: p.id, imageId: null, imageKey: null, content: 'gone' });
  });
});

/** feed.sql's page, with timestamps as text (the raw client's way of keeping microseconds). */
async function rawFeed(org: string, viewer: string, size: number) {
  const { rows } = await c.query({ text: sqlText('queries/feed.sql'), values: [org, viewer, null, null, size], types: { getTypeParser: () => (v: string) => v } });
  return rows;
}

describe('the feed', () => {
  it('answers what sql/queries/feed.sql answers, hasLiked per viewer included, in one round trip', async () => {
    for (const viewer of ['u_alice', 'u_bob', 'u_carol', 'u_dave', 'u_nobody']) {
      const spy = vi.spyOn(c, 'query');
      const page = await model.getFeed(db, { organizationId: 'org_a', viewerId: viewer, limit: 100 });
      expect(spy).toHaveBeenCalledTimes(1); // authors, images, likes and hasLiked come with the posts
      spy.mockRestore();
      const raw = await rawFeed('org_a', viewer, 100);
      expect(page.items.map((r) => r.id).filter((id) => FEED_A.includes(id))).toEqual(FEED_A);
      expect(page.items.map((r) => [r.id, r.authorName, r.authorAvatarKey, r.imageKey, r.likeCount, r.hasLiked])).toEqual(
        raw.map((r) => [r.id, r.author_name, r.author_avatar_key, r.image_key, Number(r.like_count), r.has_liked === 't']),
      );
    }
    const alice = await model.getFeed(db, { organizationId: 'org_a', viewerId: 'u_alice', limit: 100 });
    const byId = new Map(alice.items.map((r) => [r.id, r]));
    expect(['pa7', 'pa4', 'pa3'].every((id) => byId.get(id)!.hasLiked)).toBe(true);
    expect(byId.get('pa5')).toMatchObject({ hasLiked: false, likeCount: 1, imageKey: 'org/org_a/posts/1.jpg', authorAvatarKey: 'users/u_alice/avatar.png' });
    // Bob's provider URL is not an upload: no avatar key (after the pack as before it, in feed.sql)
    expect(byId.get('pa6')).toMatchObject({ authorName: 'Bob', authorAvatarKey: null });
    expect(alice.nextCursor).toBeNull();
  });

  it('the cursor keeps microseconds: posts one microsecond apart, a page of one at a time, none skipped', async () => {
    const seen: string[] = [];
    let cursor: model.FeedCursor | null = null;
    const cursors: string[] = [];
    for (let i = 0; i < 5; i++) {
      const page: model.FeedPage = await model.getFeed(db, { organizationId: 'org_m', viewerId: 'u_alice', cursor, limit: 1 });
      seen.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      cursors.push(cursor.createdAt);
    }
    expect(seen).toEqual(['pm3', 'pm2', 'pm1']);
    // each cursor is the server's own text of created_at, microseconds included
    const text = await c.query({ text: `SELECT id, created_at FROM posts WHERE organization_id = 'org_m' ORDER BY created_at DESC`, types: { getTypeParser: () => (v: string) => v } });
    expect(cursors).toEqual(text.rows.map((r) => r.created_at));
    expect(cursors.map((t) => /\.(\d{6})/.exec(t)?.[1])).toEqual(['123457', '123456', '123455']);
    // what a Date would have made of the first cursor: every post of the millisecond is then skipped
    const asDate = (pg.types.getTypeParser(1184, 'text')(cursors[0]) as Date).toISOString();
    expect(asDate).toBe('2025-02-01T10:00:00.123Z');
    const lossy = await model.getFeed(db, { organizationId: 'org_m', viewerId: 'u_alice', cursor: { createdAt: asDate, id: 'pm3' }, limit: 5 });
    expect(lossy.items.map((r) => r.id)).toEqual([]);
  });

  it('pages through the created_at tie by id, for every page size', async () => {
    for (let size = 1; size <= 8; size++) {
      const ids: string[] = [];
      let cursor: model.FeedCursor | null = null;
      for (let n = 0; n < 10; n++) {
        const page: model.FeedPage = await model.getFeed(db, { organizationId: 'org_b', viewerId: 'u_bob', cursor, limit: size });
        ids.push(...page.items.map((r) => r.id));
        if (!(cursor = page.nextCursor)) break;
      }
      expect(ids, `page size ${size}`).toEqual(['pb1']);
    }
    const a: string[] = [];
    let cursor: model.FeedCursor | null = null;
    do {
      const page: model.FeedPage = await model.getFeed(db, { organizationId: 'org_a', viewerId: 'u_bob', cursor, limit: 4 });
      a.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(a.filter((id) => FEED_A.includes(id))).toEqual(FEED_A);
  });

  it('a bad page size or cursor is InvalidInputError, before any query', async () => {
    const bad: model.FeedRequest[] = [
      { organizationId: 'org_a', viewerId: 'u_bob', limit: 0 },
      { organizationId: 'org_a', viewerId: 'u_bob', limit: 101 },
      { organizationId: 'org_a', viewerId: 'u_bob', limit: 2.5 },
      { organizationId: 'org_a', viewerId: 'u_bob', cursor: { createdAt: 'yesterday', id: 'pa1' } },
      { organizationId: 'org_a', viewerId: 'u_bob', cursor: { createdAt: '2025-01-01T00:00:00Z', id: '' } },
    ];
    for (const req of bad) await expect(model.getFeed(db, req), JSON.stringify(req)).rejects.toThrow(model.InvalidInputError);
  });
});

describe('the user\'s avatar by imageId', () => {
  it('updateUserAvatar sets the user\'s own upload; the user with avatar joins its key; better-auth\'s image stays', async () => {
    const u = await model.updateUserAvatar(db, 'u_bob', 'sa_bob');
    expect(u).toEqual({ id: 'u_bob', name: 'Bob', email: 'bob@x.test', image: BOB_URL, imageId: 'sa_bob', avatarKey: 'users/u_bob/avatar.png' });
    expect((await c.query(`SELECT image, image_id FROM "user" WHERE id = 'u_bob'`)).rows[0]).toEqual({ image: BOB_URL, image_id: 'sa_bob' });
    // an upload of one of the user's organizations is visible to them, so it may be their avatar
    expect((await model.updateUserAvatar(db, 'u_bob', 's_b1')).avatarKey).toBe('org/org_b/posts/1.jpg');
    const cleared = await model.updateUserAvatar(db, 'u_bob', null);
    expect(cleared).toMatchObject({ image: BOB_URL, imageId: null, avatarKey: null });
  });

  it('the pack\'s mapping: an uploaded avatar key became image_id; a provider URL stayed in image', async () => {
    expect(await model.getUserWithAvatar(db, 'u_alice')).toMatchObject({ imageId: 'sa_alice', avatarKey: 'users/u_alice/avatar.png' });
    expect(await model.getUserWithAvatar(db, 'u_carol')).toMatchObject({ image: null, imageId: null, avatarKey: null });
    expect(await model.getUserWithAvatar(db, 'nope')).toBeNull();
  });

  it('refuses a file the user may not see, an unknown file and an unknown user, and changes nothing', async () => {
    for (const imageId of ['sa_dave', 's_a1']) { // another user's personal upload; an organization Carol is not in
      const err = await model.updateUserAvatar(db, 'u_carol', imageId).catch((e) => e);
      expect(err).toBeInstanceOf(model.ImageAccessError);
      expect(err.message).toBe(`image ${imageId} is not visible to user u_carol`);
    }
    await expect(model.updateUserAvatar(db, 'u_carol', 'nope')).rejects.toThrow(model.ImageNotFoundError);
    await expect(model.updateUserAvatar(db, 'nope', null)).rejects.toThrow(model.UserNotFoundError);
    expect((await c.query(`SELECT image_id FROM "user" WHERE id = 'u_carol'`)).rows[0].image_id).toBeNull();
  });
});

describe('getFileById', () => {
  it('members see their organization\'s files, owners their personal uploads, nobody else anything; as file_by_id.sql', async () => {
    const files = ['s_a1', 's_a2', 's_b1', 'sa_alice', 'sa_dave', 'nope'];
    const expected: Record<string, string[]> = {
      u_alice: ['s_a1', 's_a2', 'sa_alice'],
      u_bob: ['s_a1', 's_a2', 's_b1'],
      u_carol: ['s_b1'],
      u_dave: ['sa_dave'],
      u_nobody: [],
    };
    for (const [viewer, visible] of Object.entries(expected)) {
      const seen: string[] = [];
      for (const id of files) {
        const f = await model.getFileById(db, id, viewer);
        const raw = (await c.query(sqlText('queries/file_by_id.sql'), [id, viewer])).rows;
        expect(f?.id ?? null, `${viewer} ${id}`).toBe(raw[0]?.id ?? null);
        if (f) seen.push(f.id);
      }
      expect(seen, viewer).toEqual(visible);
    }
    expect(await model.getFileById(db, 's_a1', 'u_alice')).toMatchObject({ fileKey: 'org/org_a/posts/1.jpg', size: 100, organizationId: 'org_a' });
  });
});

describe('the response mapper with the real presigner (local S3)', () => {
  it('turns joined keys into URLs that serve the bytes; keys never reach the response; provider URLs pass through', async () => {
    const { store, bucket } = await freshBucket('model');
    const bodies = new Map<string, Buffer>();
    for (const key of ['org/org_a/posts/1.jpg', 'org/org_a/posts/2.jpg', 'users/u_alice/avatar.png']) {
      bodies.set(key, randomBytes(500));
      await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bodies.get(key) }));
    }
    const presign = presignedGetSigner(store);
    const signed: string[] = [];
    const sign: model.UrlSigner = (key, ttl) => (signed.push(key), presign(key, ttl));
    const fetchBytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

    const post = await model.toPostResponse((await model.getPostById(db, 'pa7'))!, sign, 120);
    expect(post).not.toHaveProperty('imageKey');
    expect(new URL(post.imageUrl!).searchParams.get('X-Amz-Expires')).toBe('120');
    expect((await fetchBytes(post.imageUrl!)).equals(bodies.get('org/org_a/posts/2.jpg')!)).toBe(true);

    signed.length = 0;
    const feed = await model.toFeedResponse(await model.getFeed(db, { organizationId: 'org_a', viewerId: 'u_bob', limit: 100 }), sign);
    const item = new Map(feed.items.map((r) => [r.id, r]));
    expect(JSON.stringify(feed)).not.toMatch(/org\/org_a\/posts\/\d\.jpg"|"users\//); // no bare key anywhere
    expect((await fetchBytes(item.get('pa5')!.imageUrl!)).equals(bodies.get('org/org_a/posts/1.jpg')!)).toBe(true);
    expect((await fetchBytes(item.get('pa5')!.authorAvatarUrl!)).equals(bodies.get('users/u_alice/avatar.png')!)).toBe(true);
    expect(item.get('pa6')).toMatchObject({ imageUrl: null, authorAvatarUrl: null }); // Bob: a provider URL, no upload
    expect(new Set(signed).size).toBe(signed.length); // each distinct key signed once per response

    const alice = await model.toUserResponse((await model.getUserWithAvatar(db, 'u_alice'))!, sign);
    expect(alice).not.toHaveProperty('avatarKey');
    expect((await fetchBytes(alice.avatarUrl!)).equals(bodies.get('users/u_alice/avatar.png')!)).toBe(true);
    expect((await model.toUserResponse((await model.getUserWithAvatar(db, 'u_carol'))!, sign)).avatarUrl).toBeNull();
    // no upload: better-auth's provider URL is the avatar, passed through unsigned
    const bob = await model.toUserResponse(await model.updateUserAvatar(db, 'u_bob', null), sign);
    expect(bob.avatarUrl).toBe(BOB_URL);
    expect(signed).not.toContain(BOB_URL);

    const file = await model.toFileResponse((await model.getFileById(db, 's_a1', 'u_alice'))!, sign);
    expect(file).not.toHaveProperty('fileKey');
    expect((await fetchBytes(file.url)).equals(bodies.get('org/org_a/posts/1.jpg')!)).toBe(true);
  });
});
