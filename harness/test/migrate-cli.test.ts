// make migrate / rollback / backfill (harness/migrate-cli.ts) under faults: exact targets after a
// retry, the schema knob, deadlock retries, the backfill's lock settings, clean error output and
// exit codes. Each test starts from a scratch database and small data.
import net from 'node:net';
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { PG_MIGRATE_LOCK_ID } from 'node-pg-migrate';
import { baselineDb, casesDb, emptyDb, connect, CASES } from './db.ts';
import { bulkPosts } from './bulk.ts';
import { migrateCli, type MigrateCliRun } from './cli.ts';
import { migrationNames } from '../../lib/migrate.ts';
import { sqlText } from '../../lib/sql.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A step gives up on a held lock after 1 s in all (MIGRATE_LOCK_WAIT_MS), and the CLI retries soon.
const FAST = { MIGRATE_LOCK_WAIT_MS: '1000', MIGRATE_RETRY_BASE_MS: '200' };
const names = migrationNames();
const through = (name: string) => names.slice(0, names.indexOf(name) + 1);

/** What pgmigrations in `schema` records, read directly (not through the code under test). */
async function appliedIn(url: string, schema = 'public'): Promise<string[]> {
  const c = await connect(url);
  try {
    const t = await c.query(`SELECT to_regclass($1) AS t`, [`${schema}.pgmigrations`]);
    if (!t.rows[0].t) return [];
    return (await c.query(`SELECT name FROM ${schema}.pgmigrations ORDER BY id`)).rows.map((r) => r.name);
  } finally {
    await c.end();
  }
}

async function columnExists(url: string, schema: string, table: string, column: string): Promise<boolean> {
  const c = await connect(url);
  try {
    const { rows } = await c.query(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3`,
      [schema, table, column],
    );
    return rows[0].n === 1;
  } finally {
    await c.end();
  }
}

/** A session in an open transaction that ran `sql` (and so holds its locks until COMMIT). */
async function holder(url: string, sql: string): Promise<{ c: pg.Client; pid: number }> {
  const c = await connect(url);
  await c.query('BEGIN');
  await c.query(sql);
  return { c, pid: (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid };
}

/** make migrate, with the holder committed as soon as the CLI announces its retry. */
async function runReleasingOnRetry(args: string[], env: Record<string, string>, h: { c: pg.Client }): Promise<MigrateCliRun> {
  let released: Promise<unknown> | undefined;
  const r = await migrateCli(args, { ...FAST, ...env }, (err) => {
    if (!released && err.includes('retrying in')) released = h.c.query('COMMIT');
  });
  await (released ?? h.c.query('COMMIT'));
  await h.c.end();
  return r;
}

function errorLines(r: MigrateCliRun): string[] {
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
  return r.stderr.split('\n').filter((l) => l.startsWith('error: '));
}

describe.concurrent('make migrate and make rollback stop exactly at their target after a retry', () => {
  // 07 validates the posts foreign key under SHARE UPDATE EXCLUSIVE: a session holding that lock
  // lets 06 (row writes) finish and commit, then makes 07 time out on the first attempt.
  const HOLD_FOR_07 = 'LOCK TABLE posts IN SHARE UPDATE EXCLUSIVE MODE';

  it('STOP_BEFORE=09_contract-user: 06 finished before the lock timeout, the retry stops after 08', async () => {
    const url = await casesDb();
    expect((await migrateCli(['up', '5'], { DATABASE_URL: url })).code).toBe(0);
    const h = await holder(url, HOLD_FOR_07);
    const r = await runReleasingOnRetry(['up'], { DATABASE_URL: url, STOP_BEFORE: '09_contract-user' }, h);

    expect(await appliedIn(url)).toEqual(through('08_contract-posts'));
    expect(await columnExists(url, 'public', 'user', 'image')).toBe(true);
    expect(r.stderr).toMatch(/^lock timeout: /m);
    expect(r.stderr).toMatch(/^attempt 2\/6: up to 08_contract-posts/m);
    expect(r.code).toBe(0);
  });

  it('up N (STEPS=3 make migrate): the retry applies only what is left of the three', async () => {
    const url = await casesDb();
    expect((await migrateCli(['up', '5'], { DATABASE_URL: url })).code).toBe(0);
    const h = await holder(url, HOLD_FOR_07);
    const r = await runReleasingOnRetry(['up', '3'], { DATABASE_URL: url }, h);

    expect(r.stderr).toMatch(/^lock timeout: /m);
    expect(r.code).toBe(0);
    expect(await appliedIn(url)).toEqual(through('08_contract-posts'));
    expect(await columnExists(url, 'public', 'user', 'image')).toBe(true);
  });

  it('down N (STEPS=3 make rollback): 09 undone before the lock timeout, the retry undoes 08 and 07 only', async () => {
    const url = await casesDb();
    expect((await migrateCli(['up'], { DATABASE_URL: url })).code).toBe(0);
    // A reader of posts: 09's down (on "user") goes through, 08's down (ADD COLUMN on posts) times out.
    const h = await holder(url, 'SELECT count(*) FROM posts');
    const r = await runReleasingOnRetry(['down', '3'], { DATABASE_URL: url }, h);

    expect(await appliedIn(url)).toEqual(through('06_backfill'));
    expect(r.stderr).toMatch(/^lock timeout: /m);
    expect(r.stderr).toMatch(/^attempt 2\/6: down to 07_validate-foreign-keys/m);
    expect(r.code).toBe(0);
  });
});

describe('MIGRATE_SCHEMA: the app in schema app, the CLI session on the default search_path', () => {
  it('finds pgmigrations in app, stops before 09 and rolls back exactly, whatever the session search_path', async () => {
    const url = await emptyDb();
    const c = await connect(url);
    await c.query('CREATE SCHEMA app');
    await c.query('SET search_path TO app');
    await c.query(sqlText('baseline.sql'));
    await c.query(CASES);
    await c.query('RESET search_path');
    const env = { DATABASE_URL: url, MIGRATE_SCHEMA: 'app' };

    expect((await migrateCli(['up', '5'], env)).code).toBe(0);
    const stop = await migrateCli(['up'], { ...env, STOP_BEFORE: '09_contract-user' });
    expect(stop.code).toBe(0);
    expect(await appliedIn(url, 'app')).toEqual(through('08_contract-posts'));
    expect(await appliedIn(url, 'public')).toEqual([]);
    expect(await columnExists(url, 'app', 'user', 'image')).toBe(true);

    // The lookup the CLI uses, from a session whose search_path does not name app.
    const { rows } = await c.query(sqlText('lib/applied_migrations.sql'), ['app']);
    expect((await c.query('SHOW search_path')).rows[0].search_path).not.toContain('app');
    expect(rows.map((r) => r.name)).toEqual(through('08_contract-posts'));

    expect((await migrateCli(['down', '2'], env)).code).toBe(0);
    expect(await appliedIn(url, 'app')).toEqual(through('06_backfill'));
    await c.end();
  });
});

describe('make migrate retries a deadlock (40P01) like a lock timeout', () => {
  it('a deadlock with an app transaction: the holder is named, the run retries and finishes', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 2000);
    expect((await migrateCli(['up', '5'], { DATABASE_URL: url })).code).toBe(0);
    // A cycle: the app holds pgmigrations, then asks for node-pg-migrate's advisory lock, which
    // the migration session holds; seconds later (a slow backfill) the migration's INSERT into
    // pgmigrations after 06 (sent with no lock_timeout) waits for the app. PostgreSQL breaks it on
    // the migration's side: the app's one deadlock check ran before the cycle existed.
    const app = await connect(url);
    await app.query(`SET deadlock_timeout = '60s'`).catch(() => {}); // superusers only; makes it certain
    await app.query('BEGIN');
    await app.query('LOCK TABLE pgmigrations IN SHARE MODE');
    const appPid = (await app.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const watcher = await connect(url);
    // Resolves to the app's error, if PostgreSQL cancelled the app's side instead (then it rolls back at once).
    let appLock: Promise<string | undefined> | undefined;
    let released: Promise<unknown> | undefined;
    const slow = { BACKFILL_BATCH_SIZE: '50', BACKFILL_PAUSE_MS: '100' };
    const run = migrateCli(['up', '1'], { DATABASE_URL: url, ...FAST, ...slow }, (err) => {
      if (!released && err.includes('retrying in')) released = appLock!.then((e) => (e ? undefined : app.query('COMMIT')));
    });
    for (let i = 0; i < 1500 && !appLock; i++) {
      const held = await watcher.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      if (held.rows[0].n > 0) {
        appLock = app.query('SELECT pg_advisory_xact_lock($1::bigint)', [String(PG_MIGRATE_LOCK_ID)]).then(
          () => undefined,
          async (e: Error) => (await app.query('ROLLBACK'), e.message),
        );
      } else await sleep(20);
    }
    const r = await run;
    const appError = await appLock;
    await (released ?? app.query('ROLLBACK').catch(() => {}));
    await app.end();
    await watcher.end();

    expect(appError).toBeUndefined(); // the app's side was not the one cancelled
    expect(r.stderr).toMatch(new RegExp(`^deadlock: deadlock detected .*; waited on: .*pid ${appPid} \\(`, 'm'));
    expect(r.stderr).toMatch(/^retrying in \d+ ms \(attempt 2 of 6\)/m);
    expect(errorLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(await appliedIn(url)).toEqual(through('06_backfill'));
  });
});

describe('make backfill uses migration 06 statements and settings', () => {
  it('a row lock held by the app: lock_timeout, a retry, then exit 1 naming the holder (no endless wait)', async () => {
    const url = await casesDb();
    expect((await migrateCli(['up', '5'], { DATABASE_URL: url })).code).toBe(0);
    const h = await holder(url, `SELECT id FROM posts WHERE id = 'p_tie' FOR UPDATE`);
    const safety = setTimeout(() => h.c.query('COMMIT').catch(() => {}), 40_000); // old code waits on the row
    const r = await migrateCli(['backfill'], { DATABASE_URL: url, ...FAST, MIGRATE_RETRIES: '1' });
    clearTimeout(safety);
    await h.c.query('COMMIT');
    await h.c.end();

    const timeouts = r.stderr.split('\n').filter((l) => l.startsWith('lock timeout: '));
    expect(timeouts).toHaveLength(2);
    for (const l of timeouts) expect(l).toContain(`waited on: pid ${h.pid} (idle in transaction`);
    expect(r.stderr).toMatch(/^retrying in \d+ ms \(attempt 2 of 2\)/m);
    expect(errorLines(r)).toHaveLength(1);
    expect(errorLines(r)[0]).toMatch(/^error: backfill posts: a batch \(pages \d+ to \d+\) kept meeting rows other transactions hold, for 1000 ms \(\d+ tries; last: could not obtain lock on row in relation "posts"\)/);
    expect(r.code).toBe(1);
  });

  it('BACKFILL_BATCH_SIZE=0 is refused with one line, exit 2, like the migration', async () => {
    const url = await casesDb();
    expect((await migrateCli(['up', '5'], { DATABASE_URL: url })).code).toBe(0);
    const r = await migrateCli(['backfill'], { DATABASE_URL: url, BACKFILL_BATCH_SIZE: '0' });
    expect(errorLines(r)).toEqual(['error: BACKFILL_BATCH_SIZE must be a whole number >= 1, got "0"']);
    expect(r.code).toBe(2);
  });
});

describe('make migrate error output', () => {
  it('a no-transaction migration that fails prints one error line, no stray "there is no transaction in progress"', async () => {
    const url = await casesDb();
    expect((await migrateCli(['up'], { DATABASE_URL: url })).code).toBe(0);
    // 08's down runs outside a transaction; a reader of posts makes it give up.
    const h = await holder(url, 'SELECT count(*) FROM posts');
    const r = await migrateCli(['down', '2'], { DATABASE_URL: url, ...FAST, MIGRATE_RETRIES: '0' });
    await h.c.query('COMMIT');
    await h.c.end();

    expect(r.stderr).toMatch(/^down 08_contract-posts$/m); // it failed inside the no-transaction step
    expect(r.stderr + r.stdout).not.toContain('no transaction in progress');
    expect(errorLines(r)).toHaveLength(1);
    expect(r.code).toBe(1);
  });

  it('a host that accepts but never answers: one line after PGCONNECT_TIMEOUT, exit 2 like make preflight', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    const port = (silent.address() as net.AddressInfo).port;
    // Old code waits forever on such a host: end its connections after a while.
    const safety = setTimeout(() => sockets.forEach((s) => s.destroy()), 15_000);
    const r = await migrateCli(['up'], { DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/db`, PGCONNECT_TIMEOUT: '1' });
    clearTimeout(safety);
    sockets.forEach((s) => s.destroy());
    silent.close();

    expect(errorLines(r)).toEqual([`error: timed out connecting to PostgreSQL at 127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
  });
});
