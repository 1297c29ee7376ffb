// The seeder at a tiny scale: every edge case is planted and measurable in SQL, the same options
// give byte-identical tables, and failures leave the connection usable.
import { describe, it, expect } from 'vitest';
import { baselineDb, connect } from '../harness/test/db.ts';
import { checkSeed } from '../lib/seed/checks.ts';
import { copyInto } from '../lib/seed/copy.ts';
import { DEFAULT_FRACTIONS, seed, seedOptionsFromEnv } from '../lib/seed/seed.ts';
import { CHUNK_POSTS, defaultThreads, inOrder } from '../lib/seed/tables/chunks.ts';
import { Sink } from '../lib/seed/tables/context.ts';
import { orderById } from '../lib/seed/tables/post_likes.ts';
import { Rng } from '../lib/random.ts';

async function seeded(opts: Parameters<typeof seed>[1]) {
  const c = await connect(await baselineDb());
  try {
    const summary = await seed(c, opts);
    return { summary, report: await checkSeed(c, summary) };
  } finally {
    await c.end();
  }
}

describe('seed', () => {
  it('plants every edge case at posts=200 and the SQL checks agree with the summary', async () => {
    const { summary, report } = await seeded({ posts: 200 });
    expect(report.failures).toEqual([]);
    const e = summary.edgeCases;
    for (const [group, counts] of Object.entries({ posts: e.posts, users: e.users, storage: e.storage })) {
      for (const [k, v] of Object.entries(counts)) expect(v, `${group}.${k}`).toBeGreaterThan(0);
    }
    expect(summary.rows.organization).toBe(4);
    expect(summary.rows.user).toBe(40);
  });

  it('is deterministic: same options, same md5 per table; another seed, other data', async () => {
    const [a, b, c] = await Promise.all([seeded({ posts: 300, seed: 7 }), seeded({ posts: 300, seed: 7 }), seeded({ posts: 300, seed: 8 })]);
    expect(b.report.md5).toEqual(a.report.md5);
    expect(c.report.md5.posts).not.toBe(a.report.md5.posts);
  });

  it('gives the same rows on worker threads as on the main thread, chunk by chunk in order', async () => {
    // 7 chunks of 500 posts: the threads finish them out of order, the tables must not show it.
    const opts = { posts: 3_300, seed: 11, chunkPosts: 500 };
    const [inline, threaded] = await Promise.all([seeded({ ...opts, threads: 0 }), seeded({ ...opts, threads: 2 })]);
    expect([inline.summary.threads, threaded.summary.threads]).toEqual([0, 2]);
    expect(threaded.report.failures).toEqual([]);
    expect(threaded.report.md5).toEqual(inline.report.md5);
    expect(threaded.summary.edgeCases).toEqual(inline.summary.edgeCases);
    expect(threaded.summary.rows).toEqual(inline.summary.rows);
  });

  it('a zero fraction plants none of that case', async () => {
    const { summary, report } = await seeded({ posts: 300, fractions: { ...DEFAULT_FRACTIONS, duplicates: 0, userOauth: 0 } });
    expect(report.failures).toEqual([]);
    expect(summary.edgeCases.posts.duplicateKey).toBe(0);
    expect(summary.edgeCases.users.oauthUrl).toBe(0);
  });

  it('refuses tables that already hold rows', async () => {
    const c = await connect(await baselineDb());
    try {
      await c.query(`INSERT INTO organization (id, name, slug, created_at) VALUES ('x', 'x', 'x', now())`);
      await expect(seed(c, { posts: 200 })).rejects.toThrow(/already has rows: organization/);
    } finally {
      await c.end();
    }
  });

  it('a client-side error mid-COPY cancels it and leaves the connection usable', async () => {
    const c = await connect(await baselineDb());
    try {
      await c.query('BEGIN');
      await expect(
        copyInto(c, 'COPY organization (id, name, slug, created_at) FROM STDIN', async (w) => {
          await w.write('a\tA\ta\t2025-01-01\n');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await c.query('ROLLBACK');
      expect((await c.query('SELECT count(*)::int AS n FROM organization')).rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});

/** Every index and constraint of the schema, by name, with its definition and whether it is validated. */
const SCHEMA_OBJECTS = `
SELECT 'index ' || indexrelid::regclass || ': ' || pg_get_indexdef(indexrelid) AS d FROM pg_index
 WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)
UNION ALL
SELECT 'constraint ' || conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid) || (CASE WHEN convalidated THEN '' ELSE ' (not validated)' END)
  FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
ORDER BY 1`;

describe('seed: the fast load', () => {
  it('writes the rows frozen: every page of every seeded table is all-visible, before any VACUUM', async () => {
    const c = await connect(await baselineDb());
    try {
      const summary = await seed(c, { posts: 2000 });
      expect(summary.fkMode).toBe('validated');
      const { rows } = await c.query<{ relname: string; relpages: number; relallvisible: number }>(
        `SELECT relname, relpages, relallvisible FROM pg_class
          WHERE oid IN ('organization'::regclass, '"user"'::regclass, 'member'::regclass, 'storage'::regclass, 'posts'::regclass, 'post_likes'::regclass)
          ORDER BY relname`,
      );
      expect(rows).toHaveLength(6);
      for (const r of rows) {
        expect(r.relpages, r.relname).toBeGreaterThan(0);
        expect(r.relallvisible, r.relname).toBe(r.relpages);
      }
    } finally {
      await c.end();
    }
  });

  it('puts back every index and constraint it dropped, by name, validated, and they hold', async () => {
    const c = await connect(await baselineDb());
    try {
      const before = (await c.query<{ d: string }>(SCHEMA_OBJECTS)).rows.map((r) => r.d);
      await seed(c, { posts: 500 });
      expect((await c.query<{ d: string }>(SCHEMA_OBJECTS)).rows.map((r) => r.d)).toEqual(before);
      const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid OR NOT indisready`);
      expect(rows[0].n).toBe(0);
      await expect(c.query(`INSERT INTO post_likes (post_id, user_id, created_at) VALUES ('no such post', (SELECT id FROM "user" LIMIT 1), now())`)).rejects.toThrow(/foreign key/);
      await expect(c.query(`INSERT INTO posts (id, organization_id, user_id, content, created_at, updated_at) SELECT id, organization_id, user_id, content, created_at, updated_at FROM posts LIMIT 1`)).rejects.toThrow(/duplicate key/);
    } finally {
      await c.end();
    }
  });
});

describe('inOrder', () => {
  it('hands the results over in job order, though later jobs finish first, with at most `depth` running', async () => {
    let running = 0;
    let most = 0;
    const got: number[] = [];
    const run = async (j: number) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, (5 - j) * 5)); // job 0 is the slowest
      running--;
      return j * 10;
    };
    await inOrder([0, 1, 2, 3, 4], run, async (r) => void got.push(r), 3);
    expect(got).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(3);
  });

  it('stops at the first failure, in job order', async () => {
    const got: number[] = [];
    const run = async (j: number) => (j === 2 ? Promise.reject(new Error('job 2')) : j);
    await expect(inOrder([0, 1, 2, 3], run, async (r) => void got.push(r), 2)).rejects.toThrow('job 2');
    expect(got).toEqual([0, 1]);
  });
});

describe('defaultThreads', () => {
  it('one per core from 8 chunks up when a core is idle, else the main thread', () => {
    expect(defaultThreads(8 * CHUNK_POSTS, 2, 0.5)).toBe(2);
    expect(defaultThreads(8 * CHUNK_POSTS - 1, 2, 0.5)).toBe(0);
    expect(defaultThreads(10_000_000, 2, 1.0)).toBe(2);
    expect(defaultThreads(10_000_000, 2, 2.7)).toBe(0);
    expect(defaultThreads(10_000_000, 16, 0)).toBe(4);
  });
});

describe('Sink', () => {
  it('keeps every line, byte for byte as UTF-8, across pieces, however long the line', () => {
    const sink = new Sink(null);
    const lines = ['a\tb\n', 'ünï \u{1F600}\n', 'x'.repeat(3 << 20) + '\n', ...Array.from({ length: 50_000 }, (_, i) => `${i}\t€${i}\n`)];
    for (const l of lines) sink.add(l);
    const pieces = sink.take();
    expect(pieces.length).toBeGreaterThan(1);
    expect(Buffer.concat(pieces).equals(Buffer.from(lines.join(''), 'utf8'))).toBe(true);
    expect(sink.rows).toBe(lines.length);
    expect(sink.take()).toEqual([]);
  });
});

describe('orderById', () => {
  const plain = (ids: string[]) => Int32Array.from(ids.keys()).sort((a, b) => (ids[a] < ids[b] ? -1 : 1));

  it('orders ids as a string sort does, across shared prefixes and every character class', () => {
    const r = new Rng(1, 'order');
    const ids = Array.from({ length: 5000 }, () => r.id());
    // ids that share 4, 5 and 31 characters with another, so buckets hold several ids
    for (let i = 0; i < 300; i++) {
      const base = ids[r.int(ids.length)];
      const keep = [4, 5, 31][i % 3];
      ids.push(base.slice(0, keep) + r.id().slice(keep));
    }
    ids.push('0000' + 'z'.repeat(28), 'zzzz' + '0'.repeat(28), 'AAAA' + 'a'.repeat(28), 'aaaa' + 'A'.repeat(28));
    const unique = [...new Set(ids)]; // ids are primary keys: unique, so their order is total
    expect(unique.length).toBeGreaterThan(5200);
    expect(Array.from(orderById(unique))).toEqual(Array.from(plain(unique)));
  });

  it('falls back to the plain sort for ids of another shape', () => {
    const ids = ['b-1', 'a', 'é-x', 'ab', 'zzzzzz', 'AAAA_'];
    expect(Array.from(orderById(ids))).toEqual(Array.from(plain(ids)));
  });
});

describe('seedOptionsFromEnv', () => {
  it('reads SCALE, SEED, SEED_NOW and SEED_FRAC_*', () => {
    const o = seedOptionsFromEnv({ SCALE: '1_000_000', SEED: '9', SEED_NOW: '2025-06-01', SEED_FRAC_USER_ORG_KEYS: '0.1' });
    expect(o.posts).toBe(1_000_000);
    expect(o.seed).toBe(9);
    expect(o.now).toBe('2025-06-01T00:00:00.000Z');
    expect(o.fractions?.userOrgKeys).toBe(0.1);
    expect(o.fractions?.duplicates).toBe(DEFAULT_FRACTIONS.duplicates);
    expect(seedOptionsFromEnv({ SCALE: '2k' }).posts).toBe(2000);
    expect(seedOptionsFromEnv({})).toEqual({});
  });

  it('reads SEED_THREADS (0 is the main thread; unset leaves the default)', () => {
    expect(seedOptionsFromEnv({ SEED_THREADS: '0' }).threads).toBe(0);
    expect(seedOptionsFromEnv({ SEED_THREADS: '2' }).threads).toBe(2);
    expect(seedOptionsFromEnv({ SEED_THREADS: '' })).toEqual({});
    expect(() => seedOptionsFromEnv({ SEED_THREADS: 'many' })).toThrow(/SEED_THREADS/);
  });

  it('rejects bad values with the variable name', () => {
    expect(() => seedOptionsFromEnv({ SCALE: 'lots' })).toThrow(/SCALE/);
    expect(() => seedOptionsFromEnv({ SEED_FRAC_BLANKS: '1.5' })).toThrow(/SEED_FRAC_BLANKS/);
  });
});
