// The batches see the app waiting on them (sql/batches.sql): just before each COMMIT they look
// at pg_locks for sessions their locks block, count them and how long they waited, halve the next
// batch, and say so in the NOTICEs. Made deterministic with a trigger that sleeps on one row of
// the batch, while an app session asks for another row the batch has locked.
import { describe, it, expect } from 'vitest';
import pg from 'pg';
import { baselineDb, connect } from './db.ts';
import { migrate } from '../../lib/migrate.ts';
import { seed } from '../../lib/seed/seed.ts';
import { backfillStatements } from '../../lib/plan.ts';
import { packVars } from '../../lib/settings.ts';

// Over 2 s: the batch's progress NOTICE (every 2 s) comes right after it.
const SLEEP_S = 2.5;

describe('app sessions waiting on a batch', () => {
  it('are counted with how long they waited, and the next batch is halved', async () => {
    const url = await baselineDb();
    const c = await connect(url);
    try {
      await seed(c, { posts: 400 });
      await migrate(url, { direction: 'up', target: '05_transition-sync-triggers' });
      // Two rows the backfill writes, in its first batch: it sleeps on the second, holding the first.
      const { rows } = await c.query<{ id: string }>(`
        SELECT p.id FROM posts p
         WHERE p.ctid < '(1,0)'::tid AND p.image_id IS NULL
           AND EXISTS (SELECT 1 FROM storage s WHERE s.file_key = p.image_key AND s.organization_id = p.organization_id)
         ORDER BY p.ctid LIMIT 2`);
      expect(rows).toHaveLength(2);
      const [victim, slow] = rows.map((r) => r.id);
      await c.query(`CREATE FUNCTION test_slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN IF NEW.id = '${slow}' THEN PERFORM pg_sleep(${SLEEP_S}); END IF; RETURN NEW; END $$;
                     CREATE TRIGGER zz_test_slow_row BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION test_slow_row()`);

      const b = await connect(url);
      const notices: string[] = [];
      b.on('notice', (n) => notices.push(n.message ?? ''));
      const pid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      // Batches of 2 pages at most, and a target even the slow batch meets: by its duration alone
      // the next batch would stay at 2 pages.
      const vars = { ...packVars({}), batch_size: 2 * rowsPerPage(await c.query(`SELECT reltuples, relpages FROM pg_class WHERE relname = 'posts'`)), target_ms: 5000 };
      const app = await connect(url); // connected beforehand: its statement must come while the batch sleeps
      const run = (async () => {
        for (const stmt of backfillStatements(vars)) await b.query(stmt);
      })();
      try {
        await until(() => c.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'PgSleep'`, [pid]).then((r) => r.rowCount === 1));
        // The app: a row lock on a row the sleeping batch holds (as an UPDATE of it would wait).
        await app.query('BEGIN');
        await app.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [victim]);
        await app.query('COMMIT');
        await run;
      } finally {
        await app.end();
        await b.end();
      }
      const done = notices.find((n) => n.startsWith('backfill posts: done'));
      const m = /, (\d+) batch retries, (\d+) app waits behind (\d+) batches \(longest ([\d.]+) ms\)/.exec(done ?? '');
      expect(m, done).not.toBeNull();
      expect(Number(m![2])).toBe(1);
      expect(Number(m![3])).toBe(1);
      expect(Number(m![4])).toBeGreaterThan(300);
      expect(Number(m![4])).toBeLessThan(SLEEP_S * 1000 + 1000);
      const progress = notices.find((n) => n.includes('app session(s) waited on it'));
      expect(progress).toMatch(/batch of 1 pages \(~\d+ rows\), last batch \d+ rows in [\d.]+ ms, 1 app session\(s\) waited on it \(longest \d+ ms\)$/);
    } finally {
      await c.end();
    }
  });
});

function rowsPerPage(r: pg.QueryResult<{ reltuples: number; relpages: number }>): number {
  const { reltuples, relpages } = r.rows[0];
  return relpages > 0 && reltuples > 0 ? Math.ceil(reltuples / relpages) : 50;
}

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
