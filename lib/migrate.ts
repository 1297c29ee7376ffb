// Runs the pack with node-pg-migrate's own runner (the same code as its CLI), on a client whose
// NOTICEs are printed, so the backfill's progress shows.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { runner, PG_MIGRATE_LOCK_ID } from 'node-pg-migrate';
import { ROOT, sqlText } from './sql.ts';
import { connectClient } from './db.ts';
import { KNOBS } from './settings.ts';

export { connectClient };

export const MIGRATIONS_DIR = path.join(ROOT, 'migrations');

/** The schema the pack runs in when none is given: node-pg-migrate's own default. */
export const DEFAULT_SCHEMA = KNOBS.MIGRATE_SCHEMA.default;

export function migrationNames(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name.replace(/\.(sql|ts)$/, ''))
    .sort();
}

export interface MigrateOptions {
  direction: 'up' | 'down';
  /** how many migrations; default: all. Ignored when `target` is set. */
  count?: number;
  /**
   * The last migration to apply (up) or to undo (down). What is still to run is counted from
   * pgmigrations under the migration lock on every call, so a rerun after a failure that left
   * some migrations applied stops at the same place.
   */
  target?: string;
  /** the schema of the app's tables and of pgmigrations (node-pg-migrate's --schema); default public */
  schema?: string;
  singleTransaction?: boolean;
  /** one line per migration run and per backfill NOTICE */
  log?: (line: string) => void;
}

/** The migrations recorded as applied in `schema`.pgmigrations, in the order they ran. */
export async function appliedMigrations(client: pg.ClientBase, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(sqlText('lib/applied_migrations.sql'), [schema]);
  return rows.map((r) => r.name);
}

/** How many migrations the runner must take to reach `target`, given what is applied now. */
export function countToTarget(direction: 'up' | 'down', target: string, applied: string[]): number {
  if (direction === 'down') {
    const at = applied.indexOf(target);
    return at < 0 ? 0 : applied.length - at;
  }
  const names = migrationNames();
  const stop = names.indexOf(target);
  if (stop < 0) throw new Error(`${target} is not a migration`);
  return names.slice(0, stop + 1).filter((n) => !applied.includes(n)).length;
}

/**
 * Records renamed migrations under their new names (sql/lib/renamed_migrations.sql), so a
 * database that applied an old name passes node-pg-migrate's order check. Sets the session's
 * search_path to the pack's schema, as the runner itself does next.
 */
export async function renameMigrations(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query(sqlText('lib/use_schema.sql'), [schema]);
  await client.query(sqlText('lib/renamed_migrations.sql'));
}

/** node-pg-migrate's advisory lock in its default 'fail' mode, on this session. */
export async function takeMigrationLock(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query(sqlText('lib/migration_lock.sql'), [String(PG_MIGRATE_LOCK_ID)]);
  if (!rows[0].locked) throw new Error("Another migration is already running. Advisory lock mode is set to 'fail'.");
}

export async function releaseMigrationLock(client: pg.ClientBase): Promise<void> {
  await client.query(sqlText('lib/migration_unlock.sql'), [String(PG_MIGRATE_LOCK_ID)]).catch(() => {});
}

export async function migrate(url: string, opts: MigrateOptions): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const schema = opts.schema ?? DEFAULT_SCHEMA;
  const client = await connectClient(url, { log });
  try {
    // The lock is ours, not the runner's (noLock below), so the count is read under it.
    await takeMigrationLock(client);
    await renameMigrations(client, schema);
    const count =
      opts.target === undefined ? (opts.count ?? Infinity) : countToTarget(opts.direction, opts.target, await appliedMigrations(client, schema));
    if (count === 0) return [];
    const ran = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: opts.direction,
      count,
      schema,
      migrationsSchema: schema,
      migrationsTable: 'pgmigrations',
      singleTransaction: opts.singleTransaction ?? true,
      checkOrder: true,
      noLock: true,
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
    await releaseMigrationLock(client);
    await client.end().catch(() => {});
  }
}
