// Concurrency faults: two migration runs at once (the stock CLI's advisory lock), and make
// migrate's lock-timeout retries against a transaction that holds a lock on posts.
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { baselineDb, connect, applied } from './db.ts';
import { cli, migrateCli, startCli } from './cli.ts';
import { bulkPosts } from './bulk.ts';
import { migrationNames } from '../../lib/migrate.ts';
import { countThrough } from '../../lib/plan.ts';

/** A session that read posts in an open transaction: it holds ACCESS SHARE until it commits. */
async function holdPosts(url: string): Promise<{ c: pg.Client; pid: number }> {
  const c = await connect(url);
  await c.query('BEGIN');
  await c.query('SELECT count(*) FROM posts');
  const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  return { c, pid };
}

// Slow enough that the first run holds the lock for seconds: 40 batches with a 75 ms pause each.
const SLOW_BACKFILL = { BACKFILL_BATCH_SIZE: '500', BACKFILL_PAUSE_MS: '75' };

describe('two migration runs at once', () => {
  it('are serialized by the advisory lock: the loser stops with a clear message, nothing is applied twice', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 20_000);
    const env = { DATABASE_URL: url, ...SLOW_BACKFILL };
    const first = startCli(['up'], env);
    // The second starts once the first holds the lock; the slow backfill keeps it held for seconds.
    const watcher = await connect(url);
    for (let i = 0; i < 400; i++) {
      const { rows } = await watcher.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`);
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await watcher.end();
    const loser = await cli(['up'], env);
    const winner = await first.done;

    expect(loser.code).not.toBe(0);
    expect(loser.out).toContain('Another migration is already running');
    expect(loser.out).not.toContain('### MIGRATION');
    expect(winner.code).toBe(0);
    expect(winner.out).toContain('Migrations complete!');
    expect(await applied(url)).toEqual(migrationNames());

    const again = await cli(['up'], { DATABASE_URL: url });
    expect(again.code).toBe(0);
    expect(again.out).toContain('No migrations to run!');
    expect(await applied(url)).toEqual(migrationNames());
  });

  // A finding, kept as a test: node-pg-migrate's wait mode is unsafe with this pack. The waiting
  // run sits in `SELECT pg_advisory_lock()`, a transaction with a snapshot, and CREATE INDEX
  // CONCURRENTLY (02, 03) waits for every older snapshot to go away: a deadlock, which PostgreSQL
  // breaks by cancelling the index build. The default mode (fail at once) has no such cycle.
  it('with --advisory-lock-mode wait, the waiting run deadlocks an index build; it then repairs and finishes the pack', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 2000);
    const names = migrationNames();
    const indexStep = countThrough('03_expand-image-id-indexes') - 1; // the steps before it
    expect((await cli(['up', String(indexStep)], { DATABASE_URL: url })).code).toBe(0);

    // Order the events: an app transaction with a write on posts holds the first run's index
    // build in its first wait (for writers) until the second run is waiting for the lock.
    const app = await connect(url);
    await app.query('BEGIN');
    await app.query(`UPDATE posts SET content = content WHERE id = (SELECT min(id) FROM posts)`);
    const watcher = await connect(url);
    const until = async (sql: string) => {
      for (let i = 0; i < 400; i++) {
        if ((await watcher.query(sql)).rows[0].n > 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`timed out waiting for: ${sql}`);
    };
    const env = { DATABASE_URL: url };
    const first = startCli(['up', '--advisory-lock-mode', 'wait'], env);
    await until(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'`);
    const second = startCli(['up', '--advisory-lock-mode', 'wait'], env);
    await until(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
    await new Promise((r) => setTimeout(r, 1500)); // past the waiter's one deadlock check (deadlock_timeout 1 s)
    await app.query('COMMIT');
    await app.end();
    const [r1, r2] = [await first.done, await second.done];

    expect(r1.code).toBe(1);
    expect(r1.out).toMatch(/Error executing:\s+CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_image_id_idx[\s\S]*error: deadlock detected/);
    expect(r1.out).toContain('waits for ExclusiveLock on advisory lock');
    expect(r2.code).toBe(0);
    expect(r2.out).toContain('Migrations complete!');
    expect(await applied(url)).toEqual(names);
    const invalid = await watcher.query(`SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid`);
    expect(invalid.rows[0].n).toBe(0); // the cancelled build's INVALID index was rebuilt
    await watcher.end();
  });
});

describe('make migrate behind a long transaction', () => {
  it('reports the lock timeout and the holder, retries with backoff, and succeeds once the holder commits', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 2000);
    const holder = await holdPosts(url);
    // The holder commits as soon as the CLI says it will retry (1 s of lock attempts + startup).
    let committed: Promise<unknown> | undefined;
    const r = await migrateCli(['up', '1'], { DATABASE_URL: url, MIGRATE_LOCK_WAIT_MS: '1000', MIGRATE_RETRY_BASE_MS: '500' }, (err) => {
      if (!committed && err.includes('retrying in')) committed = holder.c.query('COMMIT');
    });
    await committed;
    await holder.c.end();

    expect(r.stderr).toMatch(/^lock timeout: could not lock .*; waited on: pid (\d+) /m);
    expect(r.stderr).toContain(`waited on: pid ${holder.pid} (idle in transaction`);
    expect(r.stderr).toMatch(/^retrying in \d+ ms \(attempt 2 of 6\); finished migrations stay applied$/m);
    expect(Number(/retrying in (\d+) ms/.exec(r.stderr)![1])).toBeLessThanOrEqual(500); // full jitter under the base
    expect(r.stderr).toMatch(/^up: 1 migration\(s\) done$/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(0);
    expect(await applied(url)).toEqual([migrationNames()[0]]);
  });

  it('gives up with exit 1 when the retries run out, naming the holder on every timeout and leaving nothing applied', async () => {
    const [none, one] = [await baselineDb(), await baselineDb()];
    await bulkPosts(none, 2000);
    await bulkPosts(one, 2000);
    const holders = [await holdPosts(none), await holdPosts(one)];
    const [r0, r1] = await Promise.all([
      migrateCli(['up', '1'], { DATABASE_URL: none, MIGRATE_LOCK_WAIT_MS: '1000', MIGRATE_RETRIES: '0' }),
      migrateCli(['up', '1'], { DATABASE_URL: one, MIGRATE_LOCK_WAIT_MS: '1000', MIGRATE_RETRIES: '1', MIGRATE_RETRY_BASE_MS: '200' }),
    ]);
    for (const h of holders) {
      await h.c.query('COMMIT');
      await h.c.end();
    }

    for (const r of [r0, r1]) {
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^error: could not lock .* held by pid \d+ \(idle in transaction/);
    }
    expect(r0.stderr).not.toContain('retrying');
    expect(r0.stderr).toContain(`waited on: pid ${holders[0].pid} (idle in transaction`);
    expect(r1.stderr.split(`waited on: pid ${holders[1].pid} (idle in transaction`).length - 1).toBe(2);
    expect(r1.stderr.match(/^attempt \d\/2: .*$/gm)).toEqual(['attempt 1/2: up to 01_expand-columns (the last one to apply)', 'attempt 2/2: up to 01_expand-columns (the last one to apply)']);
    for (const url of [none, one]) expect(await applied(url)).toEqual([]);
  });
});
