// Autovacuum on a table a step must lock (found by the 10M make bench: 07 failed after 60 s of
// lock attempts, held off by two autovacuum workers vacuuming posts and "user" after the
// backfill). The server cancels an autovacuum that blocks a lock request only once the request
// has waited deadlock_timeout, longer than any of the pack's short attempts; image_ref_lock
// (sql/lib/lock_retry.sql) now first takes SHARE UPDATE EXCLUSIVE, which no app statement queues
// behind, with a wait past deadlock_timeout. The autovacuum here is made slow on purpose (a
// 100 ms sleep per page), so it holds posts for minutes, as a real one of a 10M table does.
// 03's CREATE INDEX CONCURRENTLY on posts takes the same lock with a plain wait (lock_timeout
// 30 s), past deadlock_timeout, so the server cancels the autovacuum for it too: checked below.
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { baselineDb, connect } from './db.ts';
import { cli } from './cli.ts';
import { bulkPosts } from './bulk.ts';
import { migrate } from '../../lib/migrate.ts';
import { countThrough } from '../../lib/plan.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes an autovacuum worker vacuum posts, slowly (100 ms per page), and waits until it does. */
async function slowAutovacuumOnPosts(admin: pg.Client): Promise<void> {
  await admin.query(`ALTER TABLE posts SET (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0,
                                           autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1)`);
  await admin.query(`ALTER SYSTEM SET autovacuum_naptime = '1s'`);
  await admin.query('SELECT pg_reload_conf()');
  await admin.query('UPDATE posts SET content = content'); // dead rows for the autovacuum
  let vacuuming = false;
  for (let i = 0; i < 600 && !vacuuming; i++) {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity
                                          WHERE backend_type = 'autovacuum worker' AND query ILIKE '%posts%'`);
    vacuuming = rows[0].n > 0;
    if (!vacuuming) await sleep(100);
  }
  expect(vacuuming).toBe(true);
}

/** Runs the next step with the CLI while an app session writes posts; the app's longest write, ms. */
async function nextStepBesideApp(url: string, app: pg.Client): Promise<{ code: number | null; out: string; appWait: number }> {
  const run = cli(['up', '1'], { DATABASE_URL: url, MIGRATE_LOCK_WAIT_MS: '5000' });
  let appWait = 0;
  let done = false;
  void run.then(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    await app.query(`UPDATE posts SET content = content WHERE id = (SELECT min(id) FROM posts)`);
    appWait = Math.max(appWait, performance.now() - t0);
    await sleep(20);
  }
  const r = await run;
  return { code: r.code, out: r.code === 0 ? '' : r.out, appWait };
}

describe('autovacuum on a table the pack locks', () => {
  it.each([
    ['07 right after the backfill', '07_validate-foreign-keys', `SELECT bool_and(convalidated) AS ok FROM pg_constraint WHERE conname IN ('posts_image_id_fkey', 'user_image_id_fkey')`],
    ["03's concurrent index builds on posts", '03_expand-image-id-indexes', `SELECT count(*) = 2 AND bool_and(indisvalid) AS ok FROM pg_index WHERE indexrelid::regclass::text IN ('posts_image_id_idx', 'posts_image_key_unmapped_idx')`],
  ])('%s, with autovacuum vacuuming posts: the step gets its lock and app writes never wait behind it', async (_what, step, done) => {
    const url = await baselineDb();
    await bulkPosts(url, 20_000);
    await migrate(url, { direction: 'up', count: countThrough(step) - 1 });
    const admin = await connect(url);
    const app = await connect(url);
    try {
      await slowAutovacuumOnPosts(admin);
      const r = await nextStepBesideApp(url, app);
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: '' });
      expect(r.appWait).toBeLessThan(400); // no app write queues behind SHARE UPDATE EXCLUSIVE
      expect((await admin.query(done)).rows[0].ok).toBe(true);
    } finally {
      await admin.query(`ALTER SYSTEM RESET autovacuum_naptime`).catch(() => {});
      await admin.query('SELECT pg_reload_conf()').catch(() => {});
      await admin.end();
      await app.end();
    }
  });
});
