// Faults on real PostgreSQL: a long transaction (lock_timeout), a migration killed mid-backfill,
// and an interrupted concurrent index build.
import { describe, it, expect } from 'vitest';
import { baselineDb, connect } from './db.ts';
import { cli, startCli } from './cli.ts';
import { bulkPosts } from './bulk.ts';
import { countThrough } from '../../lib/plan.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function mappingChecksum(url: string): Promise<{ posts: string; mapped: number; user: string }> {
  const c = await connect(url);
  try {
    const { rows } = await c.query(`
      SELECT (SELECT md5(string_agg(id || '=' || coalesce(image_id, '-'), ',' ORDER BY id)) FROM posts) AS posts,
             (SELECT count(image_id)::int FROM posts) AS mapped,
             (SELECT md5(string_agg(id || '=' || coalesce(image_id, '-'), ',' ORDER BY id)) FROM "user") AS user`);
    return rows[0];
  } finally {
    await c.end();
  }
}

describe('faults: a long transaction', () => {
  it('a DDL step behind a long transaction gives up after its total lock wait, app queries wait one attempt at most, and a rerun succeeds', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 2000);
    const holder = await connect(url);
    const app = await connect(url);
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM posts'); // holds ACCESS SHARE until COMMIT

    const run = startCli(['up', '1'], { DATABASE_URL: url, MIGRATE_LOCK_WAIT_MS: '3000' });
    await sleep(1000); // the CLI is now trying for ACCESS EXCLUSIVE on posts, 100 ms at a time
    let appWait = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await app.query('SELECT count(*) FROM posts'); // at worst queued behind one attempt
      appWait = Math.max(appWait, performance.now() - t0);
      await sleep(50);
    }
    const r = await run.done;

    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/could not lock posts, "user" in ACCESS EXCLUSIVE mode: \d+ attempts of 100 ms over 3(\.0)? s; held by pid \d+/);
    expect(r.ms).toBeLessThan(15_000);
    expect(appWait).toBeLessThan(400); // one 100 ms attempt, plus a margin for a busy machine
    const cols = await app.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'posts' AND column_name = 'image_id'`);
    expect(cols.rows[0].n).toBe(0); // rolled back whole

    await holder.query('COMMIT');
    expect((await cli(['up', '1'], { DATABASE_URL: url })).code).toBe(0);
    await holder.end();
    await app.end();
  });
});

describe('faults: interrupted runs', () => {
  it('a migration killed mid-backfill resumes on rerun to the same result as an uninterrupted run', async () => {
    const posts = 20_000;
    const [killed, clean] = [await baselineDb(), await baselineDb()];
    await bulkPosts(killed, posts);
    await bulkPosts(clean, posts);
    for (const url of [killed, clean]) expect((await cli(['up', '5'], { DATABASE_URL: url })).code).toBe(0); // up to the triggers

    const slow = { BACKFILL_BATCH_SIZE: '200', BACKFILL_PAUSE_MS: '25' };
    const run = startCli(['up'], { DATABASE_URL: killed, ...slow });
    const watcher = await connect(killed);
    let mapped = 0;
    for (let i = 0; i < 400 && mapped < 2000; i++) {
      await sleep(25);
      mapped = (await watcher.query('SELECT count(image_id)::int AS n FROM posts')).rows[0].n;
    }
    run.child.kill('SIGKILL');
    const r = await run.done;
    expect(r.signal).toBe("SIGKILL");
    // The server stops the orphaned CALL within client_connection_check_interval.
    for (let i = 0; i < 50; i++) {
      const busy = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'CALL image_ref_backfill%' AND pid <> pg_backend_pid()`);
      if (busy.rows[0].n === 0) break;
      await sleep(200);
    }
    const partial = (await watcher.query('SELECT count(image_id)::int AS n FROM posts')).rows[0].n;
    await watcher.end();

    expect((await cli(['up'], { DATABASE_URL: clean })).code).toBe(0);
    const expected = await mappingChecksum(clean);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expected.mapped);

    const rerun = await cli(['up'], { DATABASE_URL: killed });
    expect(rerun.out).toContain('Migrations complete!');
    expect(rerun.code).toBe(0);
    expect(await mappingChecksum(killed)).toEqual(expected);
  });

  it('an INVALID index left by an interrupted concurrent build is rebuilt by the rerun', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 2000);
    const indexStep = countThrough('03_expand-image-id-indexes') - 1; // the steps before it
    expect((await cli(['up', String(indexStep)], { DATABASE_URL: url })).code).toBe(0);

    const holder = await connect(url);
    const builder = await connect(url);
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM storage'); // an old snapshot the build must wait out
    await builder.query(`SET lock_timeout = '1s'`);
    await expect(
      builder.query('CREATE INDEX CONCURRENTLY posts_image_id_idx ON posts (image_id) WHERE image_id IS NOT NULL'),
    ).rejects.toMatchObject({ code: '55P03' });
    await holder.query('COMMIT');
    const validity = `SELECT indisvalid FROM pg_index WHERE indexrelid = 'posts_image_id_idx'::regclass`;
    expect((await builder.query(validity)).rows).toEqual([{ indisvalid: false }]);

    const r = await cli(['up', '1'], { DATABASE_URL: url });
    expect(r.code).toBe(0);
    expect((await builder.query(validity)).rows).toEqual([{ indisvalid: true }]);
    await holder.end();
    await builder.end();
  });
});
