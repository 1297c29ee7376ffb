// The batches' replication lag ceiling (BACKFILL_MAX_LAG_MS, sql/batches.sql), against a real
// streaming standby (lib/replica.ts): a primary and a hot standby of this test's own, whose
// replay the test pauses. The backfill must wait while the standby is behind and go on when it
// replays; give up after MIGRATE_LOCK_WAIT_MS with one line, keeping its committed batches; and a
// role that cannot see the standby's lag (no pg_monitor) is told so, by preflight and by the batches.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { startWithStandby, STANDBY_NAME, type ReplicatedServer } from '../../lib/replica.ts';
import { loadBaseline } from '../../lib/target.ts';
import { migrate } from '../../lib/migrate.ts';
import { seed } from '../../lib/seed/seed.ts';
import { backfillStatements, verifyText } from '../../lib/plan.ts';
import { packVars } from '../../lib/settings.ts';
import { databaseOf } from '../../lib/db.ts';
import { runPreflight } from '../preflight.ts';

let rs: ReplicatedServer;
let template: string;
const PASSWORD = 'lag-test';

beforeAll(async () => {
  rs = await startWithStandby();
  template = await rs.primary.createDatabase('imgref_lag');
  await loadBaseline(template);
  const c = new pg.Client({ connectionString: template });
  await c.connect();
  try {
    await seed(c, { posts: 3000 });
    // The app's owner, without pg_monitor to begin with (a role is the server's, not a database's).
    await c.query(`CREATE ROLE lag_owner LOGIN PASSWORD '${PASSWORD}'`);
  } finally {
    await c.end();
  }
  await migrate(template, { direction: 'up', target: '05_transition-sync-triggers' });
}, 120_000);

afterAll(async () => {
  await rs?.stop();
});

/** A copy of the template (posts seeded, the pack up to 05): the backfill still to run. */
const freshDb = () => rs.primary.createDatabase('imgref_lag', databaseOf(template));

const as = (url: string, role: string) => {
  const u = new URL(url);
  u.username = role;
  u.password = PASSWORD;
  return u.toString();
};

interface Run { done: Promise<void>; settled: () => boolean; notices: string[] }

/** Migration 06's statements, with these settings, on their own session; NOTICEs collected. */
function backfill(url: string, vars: Partial<ReturnType<typeof packVars>>): Run {
  const notices: string[] = [];
  let settled = false;
  const c = new pg.Client({ connectionString: url });
  c.on('notice', (n) => notices.push(`${n.severity}: ${n.message}`));
  c.on('error', () => {});
  const done = (async () => {
    await c.connect();
    try {
      // ~37 batches of posts, 30 ms apart: the pass outlasts the 300 ms ceiling however fast the machine.
      for (const stmt of backfillStatements({ ...packVars({}), batch_size: 100, target_ms: 0, pause_ms: 30, ...vars })) await c.query(stmt);
    } finally {
      settled = true;
      await c.end();
    }
  })();
  done.catch(() => (settled = true));
  return { done, settled: () => settled, notices };
}

async function until(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function one<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<T>(sql);
    return (Array.isArray(r) ? r.at(-1) : r).rows[0];
  } finally {
    await c.end();
  }
}

/** Posts with a key the rule maps and no image_id yet: what the backfill still has to do. */
const pending = async (url: string) =>
  Number((await one<{ n: string }>(url, `SELECT count(*) AS n FROM posts p WHERE p.image_id IS NULL
     AND EXISTS (SELECT 1 FROM storage s WHERE s.file_key = p.image_key AND s.organization_id = p.organization_id)`)).n);

/** 06's verify query: every check true. */
async function verified(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ ok: boolean }>(verifyText('06_backfill'))).rows.every((r) => r.ok);
  } finally {
    await c.end();
  }
}

describe('the lag ceiling, against a paused standby', () => {
  it('waits while the standby is behind (a NOTICE, nothing finished), and completes once it replays', async () => {
    const url = await freshDb();
    const before = await pending(url);
    await rs.caughtUp();
    await rs.pauseReplay();
    let run: Run | undefined;
    try {
      run = backfill(url, { max_lag_ms: 300, lock_wait_ms: 60_000 });
      await until('a "waiting for replicas" NOTICE', 20_000, () => run!.notices.some((n) => n.includes('waiting for replicas')));
      expect(run.notices.find((n) => n.includes('waiting for replicas'))).toMatch(
        new RegExp(`backfill posts: waiting for replicas: lag \\d+ ms > ceiling 300 ms \\(replica ${STANDBY_NAME}, `),
      );
      await new Promise((r) => setTimeout(r, 1500));
      expect(run.settled()).toBe(false);
      expect(await pending(url)).toBeGreaterThan(0);
      expect(await pending(url)).toBeLessThan(before);
    } finally {
      await rs.resumeReplay();
    }
    await run.done;
    expect(await verified(url)).toBe(true);
    const done = run.notices.find((n) => n.includes('backfill posts: done'));
    expect(done).toMatch(/, (\d+\.\d) s waiting for replicas$/);
    expect(Number(/(\d+\.\d) s waiting for replicas$/.exec(done!)![1])).toBeGreaterThanOrEqual(1.5);
  });

  it('gives up after MIGRATE_LOCK_WAIT_MS with one line and a hint; its committed batches stay, and a rerun resumes', async () => {
    const url = await freshDb();
    const before = await pending(url);
    await rs.caughtUp();
    await rs.pauseReplay();
    try {
      const run = backfill(url, { max_lag_ms: 300, lock_wait_ms: 1500 });
      const err = await run.done.then(() => undefined, (e: pg.DatabaseError) => e);
      expect(err?.message).toMatch(new RegExp(`^backfill posts: replica ${STANDBY_NAME} stayed more than 300 ms behind for 1500 ms \\(lag \\d+ ms, .+ of WAL not replayed\\)$`));
      expect(err?.hint).toMatch(/batches before are committed.*rerun resumes.*BACKFILL_MAX_LAG_MS/);
      const left = await pending(url);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(before);
    } finally {
      await rs.resumeReplay();
    }
    await rs.caughtUp();
    await backfill(url, { max_lag_ms: 300, lock_wait_ms: 60_000 }).done;
    expect(await verified(url)).toBe(true);
  });
});

describe('a role that cannot see the standby\'s lag', () => {
  it('preflight warns (and not once the role has pg_monitor); the batches warn once and do not pretend to wait', async () => {
    const url = await freshDb();
    await one(url, `ALTER TABLE posts OWNER TO lag_owner; ALTER TABLE "user" OWNER TO lag_owner; ALTER TABLE storage OWNER TO lag_owner; ALTER TABLE pgmigrations OWNER TO lag_owner;
                    GRANT CREATE ON SCHEMA public TO lag_owner`);
    const blind = await runPreflight(as(url, 'lag_owner'));
    expect(blind.production.replicas).toEqual({ count: 1, hidden: 1, names: [], replayLagMs: null });
    const warning = blind.production.warnings.filter((w) => w.includes('cannot see their lag'));
    expect(warning).toEqual([expect.stringMatching(/^1 standby\(s\) stream from this server, but role lag_owner cannot see their lag .*GRANT pg_monitor TO lag_owner/)]);
    await one(url, 'GRANT pg_monitor TO lag_owner');
    try {
      const seeing = await runPreflight(as(url, 'lag_owner'));
      expect(seeing.production.replicas).toMatchObject({ count: 1, hidden: 0, names: [STANDBY_NAME] });
      expect(seeing.production.warnings.filter((w) => w.includes('cannot see their lag'))).toEqual([]);
    } finally {
      await one(url, 'REVOKE pg_monitor FROM lag_owner');
    }

    await rs.caughtUp();
    await rs.pauseReplay();
    try {
      const run = backfill(as(url, 'lag_owner'), { max_lag_ms: 300, lock_wait_ms: 1500 });
      await run.done;
      const warned = run.notices.filter((n) => n.includes('cannot see their lag'));
      // once per pass (posts, then user), never per batch
      expect(warned).toEqual([
        expect.stringMatching(/^WARNING: backfill posts: 1 replica\(s\) stream from this server, but role lag_owner cannot see their lag: the lag ceiling \(300 ms\) is not enforced$/),
        expect.stringMatching(/^WARNING: backfill user: /),
      ]);
      expect(run.notices.filter((n) => n.includes(': waiting for replicas:'))).toEqual([]);
      expect(await verified(url)).toBe(true);
    } finally {
      await rs.resumeReplay();
    }
  });
});
