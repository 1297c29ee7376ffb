// The app's queries (sql/queries/) on a small hand-made dataset: the before/ variants on the
// baseline schema, the new ones after the whole pack, on the same rows.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { baselineDb } from './db.ts';
import { migrate } from '../../lib/migrate.ts';
import { sqlText } from '../../lib/sql.ts';

// Timestamps have microseconds on purpose (now() has them too). A keyset cursor must go back to
// the server exactly: a JS Date keeps milliseconds only, and a cursor rounded down to the
// millisecond skips the rows between the two instants. So this client keeps timestamptz as text.
const TIMESTAMPTZ = 1184;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

async function connectRaw(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, types });
  c.on('error', () => {}); // the scratch database is dropped WITH (FORCE) after the file
  await c.connect();
  return c;
}

const DATA = `
  INSERT INTO organization (id, name, slug, created_at) VALUES ('org_a', 'A', 'a', now()), ('org_b', 'B', 'b', now());
  INSERT INTO "user" (id, name, email, image) VALUES
    ('u_alice', 'Alice', 'alice@x.test', 'users/u_alice/avatar.png'),
    ('u_bob',   'Bob',   'bob@x.test',   'https://lh3.googleusercontent.com/a/bob=s96-c'),
    ('u_carol', 'Carol', 'carol@x.test', NULL),
    ('u_dave',  'Dave',  'dave@x.test',  'users/u_dave/avatar.png');
  INSERT INTO member (id, organization_id, user_id, created_at) VALUES
    ('m1', 'org_a', 'u_alice', now()), ('m2', 'org_a', 'u_bob', now()), ('m3', 'org_b', 'u_bob', now()), ('m4', 'org_b', 'u_carol', now());
  INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id) VALUES
    ('s_a1', 'org/org_a/posts/1.jpg', '1.jpg', 'image/jpeg', 100, 'u_alice', 'org_a'),
    ('s_a2', 'org/org_a/posts/2.jpg', '2.jpg', 'image/jpeg', 200, 'u_bob', 'org_a'),
    ('s_b1', 'org/org_b/posts/1.jpg', '1.jpg', 'image/jpeg', 300, 'u_carol', 'org_b'),
    ('sa_alice', 'users/u_alice/avatar.png', 'avatar.png', 'image/png', 10, 'u_alice', NULL),
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
    ('pb1', 'org_b', 'u_carol', 'other', 'org/org_b/posts/1.jpg',       '2025-01-06 10:00:00+00');
  INSERT INTO post_likes (post_id, user_id) VALUES
    ('pa7', 'u_alice'), ('pa7', 'u_bob'), ('pa7', 'u_carol'),
    ('pa5', 'u_bob'),
    ('pa4', 'u_alice'),
    ('pa3', 'u_bob'), ('pa3', 'u_alice'),
    ('pa1', 'u_dave'),
    ('pb1', 'u_carol');`;

const KEY1 = 'org/org_a/posts/1.jpg';
const KEY2 = 'org/org_a/posts/2.jpg';
const MISSING = 'org/org_a/posts/missing.jpg';
const ALICE_AVATAR = 'users/u_alice/avatar.png';
const BOB_URL = 'https://lh3.googleusercontent.com/a/bob=s96-c';

/** org_a's feed, newest first, as the data above defines it (before the pack). */
const FEED_A = [
  { id: 'pa7', author_name: 'Alice', author_avatar_key: ALICE_AVATAR, image_key: KEY2, like_count: 3 },
  { id: 'pa6', author_name: 'Bob', author_avatar_key: BOB_URL, image_key: null, like_count: 0 },
  { id: 'pa5', author_name: 'Alice', author_avatar_key: ALICE_AVATAR, image_key: KEY1, like_count: 1 },
  { id: 'pa4', author_name: 'Alice', author_avatar_key: ALICE_AVATAR, image_key: MISSING, like_count: 1 },
  { id: 'pa3', author_name: 'Bob', author_avatar_key: BOB_URL, image_key: KEY2, like_count: 2 },
  { id: 'pa2', author_name: 'Bob', author_avatar_key: BOB_URL, image_key: null, like_count: 0 },
  { id: 'pa1', author_name: 'Alice', author_avatar_key: ALICE_AVATAR, image_key: KEY1, like_count: 1 },
];
const LIKED_BY: Record<string, string[]> = {
  u_alice: ['pa7', 'pa4', 'pa3'],
  u_bob: ['pa7', 'pa5', 'pa3'],
  u_carol: ['pa7'], // likes are not limited to members
  u_dave: ['pa1'],
  u_nobody: [],
};

/** Values that map to no storage row: after the pack they read as NULL (archived by the contract). */
const UNMAPPED = new Set([MISSING, BOB_URL]);
const afterPack = <T extends Record<string, unknown>>(row: T): T =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && UNMAPPED.has(v) ? null : v])) as T;

type Row = Record<string, unknown>;
type Variant = 'before' | 'after';

const file = (variant: Variant, name: string) => sqlText(variant === 'before' ? `queries/before/${name}.sql` : `queries/${name}.sql`);

async function feedPage(c: pg.Client, variant: Variant, org: string, viewer: string, cursor: Row | null, size: number): Promise<Row[]> {
  const { rows } = await c.query(file(variant, 'feed'), [org, viewer, cursor?.created_at ?? null, cursor?.id ?? null, size]);
  return rows;
}

/** Every page of a feed, following the cursor until a short page. */
async function allPages(c: pg.Client, variant: Variant, org: string, viewer: string, size: number): Promise<Row[][]> {
  const pages: Row[][] = [];
  let cursor: Row | null = null;
  for (;;) {
    const page = await feedPage(c, variant, org, viewer, cursor, size);
    pages.push(page);
    if (page.length < size) return pages;
    cursor = page[page.length - 1];
    if (pages.length > 20) throw new Error('feed paging does not end');
  }
}

/** One query at a time: a pg client runs them in sequence anyway. */
async function inOrder<T, R>(xs: T[], fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const [i, x] of xs.entries()) out.push(await fn(x, i));
  return out;
}

const pick = (rows: Row[], keys: string[]) => rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
const FEED_KEYS = ['id', 'author_name', 'author_avatar_key', 'image_key', 'like_count'];

/** What one schema returns for every query; compared across the pack. */
async function snapshot(c: pg.Client, variant: Variant) {
  return {
    feedAlice: await feedPage(c, variant, 'org_a', 'u_alice', null, 100),
    feedB: await feedPage(c, variant, 'org_b', 'u_carol', null, 100),
    posts: await inOrder(['pa7', 'pa4', 'pa2', 'pb1', 'nope'], async (id) => (await c.query(file(variant, 'post_by_id'), [id])).rows),
    users: await inOrder(['u_alice', 'u_bob', 'u_carol', 'nope'], async (id) => (await c.query(file(variant, 'user_with_avatar'), [id])).rows),
    /** has_liked down org_a's feed, per viewer */
    liked: Object.fromEntries(
      await inOrder(Object.keys(LIKED_BY), async (v) => [v, (await feedPage(c, variant, 'org_a', v, null, 100)).map((r) => r.has_liked)] as const),
    ),
    /** org_a for u_bob, followed page by page, for every page size from 1 to one past the end */
    pages: await inOrder(FEED_A.concat(FEED_A[0]), (_, i) => allPages(c, variant, 'org_a', 'u_bob', i + 1)),
  };
}

async function visibleFiles(c: pg.Client, viewer: string): Promise<string[]> {
  const seen: string[] = [];
  for (const id of ['s_a1', 's_a2', 's_b1', 'sa_alice', 'sa_dave', 'nope']) {
    const { rows } = await c.query(sqlText('queries/file_by_id.sql'), [id, viewer]);
    expect(rows.length).toBeLessThanOrEqual(1);
    if (rows.length) {
      expect(rows[0].id).toBe(id);
      seen.push(id);
    }
  }
  return seen;
}

// One database for the describes below: snapshot taken, then the whole pack applied, once.
let c: pg.Client;
let before: Awaited<ReturnType<typeof snapshot>>;
let ready: Promise<void> | undefined;

/** Sets up `c` and `before` on the first call; later calls wait for the same setup. */
function migrated(): Promise<void> {
  ready ??= (async () => {
    const url = await baselineDb();
    c = await connectRaw(url);
    await c.query(DATA);
    before = await snapshot(c, 'before');
    // the whole pack, contracts included: image_key and "user".image are gone afterwards
    await c.end();
    await migrate(url, { direction: 'up' });
    c = await connectRaw(url);
  })();
  return ready;
}

afterAll(async () => {
  await c?.end();
});

describe('app queries before and after the pack: the feed', () => {
  beforeAll(migrated);

  it('before: the feed is one organization, newest first (id breaks a created_at tie), with authors, images and likes', () => {
    expect(pick(before.feedAlice, FEED_KEYS)).toEqual(FEED_A);
    expect(before.feedAlice.every((r) => r.organization_id === 'org_a')).toBe(true);
    expect(before.feedAlice.map((r) => r.has_liked)).toEqual(FEED_A.map((p) => LIKED_BY.u_alice.includes(p.id)));
    expect(pick(before.feedB, ['id', 'like_count', 'has_liked'])).toEqual([{ id: 'pb1', like_count: 1, has_liked: true }]);
  });

  it('after: the feed reads the same keys through image_id -> storage; only unmapped values become NULL', async () => {
    const after = await snapshot(c, 'after');
    expect(pick(after.feedAlice, FEED_KEYS)).toEqual(FEED_A.map(afterPack));
    // everything else in every row is equal across the pack
    expect(after.feedAlice).toEqual(before.feedAlice.map(afterPack));
    expect(after.feedB).toEqual(before.feedB);
    // the unmapped ones really were the only differences
    expect(after.feedAlice.filter((r, i) => r.image_key !== before.feedAlice[i].image_key).map((r) => r.id)).toEqual(['pa4']);
    expect(after.feedAlice.filter((r, i) => r.author_avatar_key !== before.feedAlice[i].author_avatar_key).map((r) => r.id)).toEqual(['pa6', 'pa3', 'pa2']);
  });

  it('has_liked is per viewer, before and after', async () => {
    const after = await snapshot(c, 'after');
    for (const [viewer, liked] of Object.entries(LIKED_BY)) {
      const expected = FEED_A.map((p) => liked.includes(p.id));
      expect(before.liked[viewer], `before, ${viewer}`).toEqual(expected);
      expect(after.liked[viewer], `after, ${viewer}`).toEqual(expected);
    }
  });
});

describe('app queries before and after the pack: keyset paging', () => {
  beforeAll(migrated);

  it('keyset paging: following the cursor gives every post once, in order, for every page size', async () => {
    const after = await snapshot(c, 'after');
    const order = FEED_A.map((p) => p.id);
    for (const [variant, snap] of [['before', before], ['after', after]] as const) {
      snap.pages.forEach((pages, i) => {
        const size = i + 1;
        const ids = pages.flat().map((r) => r.id);
        expect(ids, `${variant}, page size ${size}`).toEqual(order);
        expect(new Set(ids).size).toBe(ids.length);
        for (const page of pages.slice(0, -1)) expect(page.length).toBe(size);
        expect(pages.at(-1)!.length).toBeLessThan(size);
      });
    }
    // the same pages, row for row, across the pack
    expect(after.pages).toEqual(before.pages.map((pages) => pages.map((page) => page.map(afterPack))));
    // page size 4 ends the first page inside the created_at tie (pa4 | pa3)
    expect(after.pages[3].map((page) => page.map((r) => r.id))).toEqual([['pa7', 'pa6', 'pa5', 'pa4'], ['pa3', 'pa2', 'pa1']]);
  });

  it('a cursor rounded to milliseconds (a JS Date) skips rows: the cursor must go back exactly', async () => {
    const [first] = await allPages(c, 'after', 'org_a', 'u_alice', 3);
    const last = first[2]; // pa5, created at .123457
    // what node-pg's default parser makes of it: a Date, .123
    const rounded = pg.types.getTypeParser(TIMESTAMPTZ, 'text')(String(last.created_at)) as Date;
    expect(rounded.getUTCMilliseconds()).toBe(123);
    const next = await feedPage(c, 'after', 'org_a', 'u_alice', { created_at: rounded, id: last.id }, 3);
    expect(next.map((r) => r.id)).toEqual(['pa2', 'pa1']); // pa4 and pa3 lost
  });
});

describe('app queries before and after the pack: single rows, files and deletes', () => {
  beforeAll(migrated);

  it('post_by_id and user_with_avatar: same rows before and after, unmapped values NULL after', async () => {
    const after = await snapshot(c, 'after');
    expect(after.posts).toEqual(before.posts.map((rows) => rows.map(afterPack)));
    expect(after.users).toEqual(before.users.map((rows) => rows.map(afterPack)));
    expect(before.posts.map((rows) => rows.map((r) => r.image_key))).toEqual([[KEY2], [MISSING], [null], ['org/org_b/posts/1.jpg'], []]);
    expect(after.posts.map((rows) => rows.map((r) => r.image_key))).toEqual([[KEY2], [null], [null], ['org/org_b/posts/1.jpg'], []]);
    expect(before.users.map((rows) => rows.map((r) => r.avatar_key))).toEqual([[ALICE_AVATAR], [BOB_URL], [null], []]);
    expect(after.users.map((rows) => rows.map((r) => r.avatar_key))).toEqual([[ALICE_AVATAR], [null], [null], []]);
  });

  it('file_by_id: members see their organization\'s files, owners their personal uploads, nobody else anything', async () => {
    const expected: Record<string, string[]> = {
      u_alice: ['s_a1', 's_a2', 'sa_alice'],
      u_bob: ['s_a1', 's_a2', 's_b1'],
      u_carol: ['s_b1'], // a member of org_b only: nothing of org_a
      u_dave: ['sa_dave'], // a member of nothing: his own avatar only
      u_nobody: [],
    };
    for (const [viewer, files] of Object.entries(expected)) expect(await visibleFiles(c, viewer), viewer).toEqual(files);
  });

  it('deleting a storage row nulls the image it was (ON DELETE SET NULL), and the feed keeps the posts', async () => {
    await c.query('BEGIN');
    try {
      await c.query(`DELETE FROM storage WHERE id = 's_a2'`);
      const feed = await feedPage(c, 'after', 'org_a', 'u_alice', null, 100);
      expect(feed.map((r) => r.id)).toEqual(FEED_A.map((p) => p.id));
      expect(feed.filter((r) => r.image_key === null).map((r) => r.id)).toEqual(['pa7', 'pa6', 'pa4', 'pa3', 'pa2']);
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

describe('file_by_id on the baseline schema', () => {
  it('gives the same visibility before the pack (storage is unchanged by it)', async () => {
    const url = await baselineDb();
    const c = await connectRaw(url);
    try {
      await c.query(DATA);
      expect(await visibleFiles(c, 'u_alice')).toEqual(['s_a1', 's_a2', 'sa_alice']);
      expect(await visibleFiles(c, 'u_carol')).toEqual(['s_b1']);
      expect(await visibleFiles(c, 'u_dave')).toEqual(['sa_dave']);
      expect(await visibleFiles(c, 'u_nobody')).toEqual([]);
    } finally {
      await c.end();
    }
  });
});
