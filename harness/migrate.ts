// Runs the pack with node-pg-migrate's own runner (the same code as its CLI), on a client whose
// NOTICEs are printed, so the backfill's progress shows.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { ROOT } from './target.ts';

export const MIGRATIONS_DIR = path.join(ROOT, 'migrations');

export function migrationNames(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name.replace(/\.(sql|ts)$/, ''))
    .sort();
}

export interface MigrateOptions {
  direction: 'up' | 'down';
  /** how many migrations; default: all */
  count?: number;
  singleTransaction?: boolean;
  /** one line per migration run and per backfill NOTICE */
  log?: (line: string) => void;
}

export async function migrate(url: string, opts: MigrateOptions): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const client = new pg.Client({ connectionString: url });
  client.on('notice', (n) => log(`  ${n.message}`));
  await client.connect();
  try {
    const ran = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: opts.direction,
      count: opts.count ?? Infinity,
      migrationsTable: 'pgmigrations',
      singleTransaction: opts.singleTransaction ?? true,
      checkOrder: true,
      logger: {
        debug: () => {},
        info: (m: string) => {
          const step = /### MIGRATION (\S+) \((UP|DOWN)\)/.exec(m);
          if (step) log(`${step[2].toLowerCase()} ${step[1]}`);
        },
        warn: () => {},
        error: () => {},
      },
    });
    return ran.map((m) => m.name);
  } finally {
    await client.end().catch(() => {});
  }
}
