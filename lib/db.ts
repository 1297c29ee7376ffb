// The database client every CLI and harness module uses: one place that connects, bounds the
// connect by PGCONNECT_TIMEOUT, and turns pg's own timeout into the same error as the OS's.
import pg from 'pg';
import { connectTimeoutMs } from './settings.ts';

export interface ConnectOptions {
  /** one line per server NOTICE (the backfill's progress) */
  log?: (line: string) => void;
  application_name?: string;
}

/**
 * A connected client that prints the server's NOTICEs through log. pg reports its own connect
 * timeout as a bare "timeout expired": it becomes ETIMEDOUT, like the operating system's, so
 * every caller classifies both as an unreachable server (exit 2 from every CLI).
 */
export async function connectClient(url: string, opts: ConnectOptions = {}): Promise<pg.Client> {
  const { log, application_name } = opts;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs(), application_name });
  // node-pg-migrate sends ROLLBACK after a failed no-transaction migration; the server answers
  // with a WARNING (25P01 "there is no transaction in progress") that says nothing to the user.
  client.on('notice', (n) => {
    if (n.code !== '25P01') log?.(`  ${n.message}`);
  });
  client.on('error', () => {}); // a dropped connection is reported by the query that was running
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    if ((err as Error).message !== 'timeout expired') throw err;
    const u = new URL(url);
    throw Object.assign(new Error(`connect ETIMEDOUT ${u.hostname}:${u.port || 5432}`), {
      code: 'ETIMEDOUT',
      address: u.hostname,
      port: Number(u.port || 5432),
    });
  }
  return client;
}

/** Runs fn with a connected client and always closes it. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}
