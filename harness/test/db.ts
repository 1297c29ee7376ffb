// Scratch databases for tests, made from the baseline template; each dropped after its test file.
import fs from 'node:fs';
import path from 'node:path';
import { inject, afterAll } from 'vitest';
import pg from 'pg';
import { attachServer } from '../../lib/server.ts';
import { sqlText } from '../../lib/sql.ts';
import { type Server } from '../../lib/target.ts';

/** Hand-made edge cases of the mapping rule; each row says what it expects. */
export const CASES = fs.readFileSync(path.join(import.meta.dirname, 'cases/mapping.sql'), 'utf8');

// One Server per test file, shared by concurrent tests: the promise is kept, not its result, so
// two tests starting at once do not make two (each would refuse to drop the other's databases).
let server: Promise<Server> | undefined;
const attached = () => (server ??= attachServer(inject('adminUrl'), inject('serverKind')));
const mine: string[] = [];

afterAll(async () => {
  const s = server && (await server);
  for (const url of mine.splice(0)) await s?.dropDatabase(url);
});

/** A new database holding the baseline schema (empty tables). */
export async function baselineDb(): Promise<string> {
  const url = await (await attached()).createDatabase('imgref_test', inject('baselineTemplate'));
  mine.push(url);
  return url;
}

/** A new database copied from `templateUrl` (a scratch database of this file, with no session open). */
export async function cloneDb(templateUrl: string): Promise<string> {
  const url = await (await attached()).createDatabase('imgref_clone', new URL(templateUrl).pathname.slice(1));
  mine.push(url);
  return url;
}

/** A new empty database: no baseline. */
export async function emptyDb(): Promise<string> {
  const url = await (await attached()).createDatabase('imgref_empty');
  mine.push(url);
  return url;
}

export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  // A scratch database dropped WITH (FORCE) ends its sessions; that is not a test failure.
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** Runs fn on a new connection to url, and closes it. */
export async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connect(url);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Waits until the session `pid` waits for a lock (checked through c); throws after about 5 s. */
export async function waitsForLock(c: pg.Client, pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await c.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
    if (rows[0]?.wait_event_type === 'Lock') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`session ${pid} never waited for a lock`);
}

/** A baseline database holding cases/mapping.sql. */
export async function casesDb(): Promise<string> {
  const url = await baselineDb();
  const c = await connect(url);
  try {
    await c.query(CASES);
  } finally {
    await c.end();
  }
  return url;
}

/** The migrations node-pg-migrate has recorded as applied (in schema's pgmigrations), in order. */
export async function applied(url: string, schema = 'public'): Promise<string[]> {
  const c = await connect(url);
  try {
    return (await c.query(sqlText('lib/applied_migrations.sql'), [schema])).rows.map((r) => r.name);
  } finally {
    await c.end();
  }
}
