// The seeder at a tiny scale: every edge case is planted and measurable in SQL, the same options
// give byte-identical tables, and failures leave the connection usable.
import { describe, it, expect } from 'vitest';
import { baselineDb, connect } from '../harness/test/db.ts';
import { checkSeed } from '../lib/seed/checks.ts';
import { copyInto } from '../lib/seed/copy.ts';
import { DEFAULT_FRACTIONS, seed, seedOptionsFromEnv } from '../lib/seed/seed.ts';

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

  it('rejects bad values with the variable name', () => {
    expect(() => seedOptionsFromEnv({ SCALE: 'lots' })).toThrow(/SCALE/);
    expect(() => seedOptionsFromEnv({ SEED_FRAC_BLANKS: '1.5' })).toThrow(/SEED_FRAC_BLANKS/);
  });
});
