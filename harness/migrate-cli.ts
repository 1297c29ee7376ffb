// make migrate / make rollback / make backfill, against DATABASE_URL.
//   up [N]        apply all (or N) pending migrations
//   down [N]      roll back all (or N) applied migrations
//   backfill      rerun the backfill alone (the remedy when the contract refuses)
// Options: --no-single-transaction. Environment: DATABASE_URL (required), MIGRATE_SCHEMA (the
// schema of the app's tables and of pgmigrations), STOP_BEFORE (a migration name: up runs every
// pending migration before it, e.g. 09_contract-user), MIGRATE_RETRIES, MIGRATE_RETRY_BASE_MS,
// PGCONNECT_TIMEOUT, BACKFILL_*, MIGRATE_LOCK_*: all parsed by lib/settings.ts (migrateSettings),
// defaults in the README's settings table.
// N and STOP_BEFORE become a target, the name of the last migration to apply (up) or to undo
// (down), fixed before the first attempt; each attempt counts what is left from pgmigrations,
// so a retry after a partial run stops at the same migration. A lock timeout (55P03) or a
// deadlock (40P01) is retried with exponential backoff and full jitter; every other error stops
// at once with a one-line message.
// Exit codes: 0 done, 1 failed, 2 bad input (no DATABASE_URL, unreachable, login, no baseline).
import type pg from 'pg';
import { appliedMigrations, renameMigrations, connectClient, DEFAULT_SCHEMA, migrate, migrationNames, releaseMigrationLock, takeMigrationLock } from '../lib/migrate.ts';
import { backfillStatements } from '../lib/plan.ts';
import { describeError, errorLine, exitCode, isDeadlock, isRetryable } from '../lib/errors.ts';
import { BadInput, migrateSettings } from '../lib/settings.ts';
import { backoffMs } from '../lib/random.ts';
import { sqlText } from '../lib/sql.ts';

const log = (line: string) => process.stderr.write(line + '\n');

async function withSession<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connectClient(url, { log });
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

async function lockHolders(url: string, schema: string): Promise<string> {
  try {
    const rows = await withSession(url, async (c) => (await c.query(sqlText('lib/lock_holders.sql'), [schema])).rows);
    if (rows.length === 0) return 'no session holds a lock on posts, "user", storage or pgmigrations now';
    return rows.map((r) => `pid ${r.pid} (${r.state}, transaction open ${r.xact_seconds ?? '?'} s, holds ${r.locks}): ${r.query}`).join('; ');
  } catch {
    return 'could not list lock holders';
  }
}

async function assertSchema(c: pg.Client, schema: string): Promise<void> {
  const { rows } = await c.query(sqlText('lib/schema_exists.sql'), [schema]);
  if (!rows[0].present) throw new BadInput(`schema "${schema}" does not exist in this database (MIGRATE_SCHEMA names the schema of the app's tables)`);
}

/**
 * The last migration to apply (up) or undo (down) for `N` and STOP_BEFORE, read once before the
 * first attempt. undefined: no limit (all); null: nothing to do.
 */
async function resolveTarget(url: string, schema: string, command: 'up' | 'down', count: number | undefined, stopBeforeSetting: string | undefined): Promise<string | null | undefined> {
  const names = migrationNames();
  const stopBefore = command === 'up' ? stopBeforeSetting : undefined;
  const stop = stopBefore === undefined ? names.length : names.indexOf(stopBefore);
  if (stop < 0) throw new BadInput(`STOP_BEFORE=${stopBefore} is not a migration; choose one of ${names.join(', ')}`);
  const applied = await withSession(url, async (c) => {
    await assertSchema(c, schema);
    await renameMigrations(c, schema);
    return appliedMigrations(c, schema);
  });
  if (command === 'down') return count === undefined ? undefined : (applied[Math.max(0, applied.length - count)] ?? null);
  if (applied.some((n) => names.indexOf(n) >= stop)) throw new BadInput(`${stopBefore} or a later migration is already applied`);
  const pending = names.slice(0, stop).filter((n) => !applied.includes(n));
  if (pending.length === 0) return null;
  if (count === undefined && stopBefore === undefined) return undefined;
  return pending[Math.min(count ?? Infinity, pending.length) - 1];
}

/** make backfill: migration 06's statements, in the pack's schema, under the migration lock. */
async function backfill(url: string, schema: string, statements: string[]): Promise<void> {
  await withSession(url, async (c) => {
    await assertSchema(c, schema);
    await takeMigrationLock(c);
    try {
      await c.query(sqlText('lib/use_schema.sql'), [schema]);
      for (const s of statements) await c.query(s);
    } finally {
      await releaseMigrationLock(c);
    }
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, countArg] = argv.filter((a) => !a.startsWith('--'));
  const singleTransaction = !argv.includes('--no-single-transaction');
  // Every knob is checked before any work, in one place (lib/settings.ts).
  const { url, schema, stopBefore, retries, retryBaseMs: baseMs, pack } = migrateSettings();
  if (!['up', 'down', 'backfill'].includes(command ?? '')) throw new BadInput('usage: migrate-cli.ts up|down|backfill [N] [--no-single-transaction]');
  const count = countArg === undefined ? undefined : Number(countArg);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new BadInput(`N must be a positive integer, got "${countArg}"`);

  let run: () => Promise<void>;
  let what: string = command;
  if (command === 'backfill') {
    const statements = backfillStatements(pack);
    run = () => backfill(url, schema, statements);
  } else {
    const direction = command as 'up' | 'down';
    const target = await resolveTarget(url, schema, direction, count, stopBefore);
    if (target === null) {
      log(stopBefore && direction === 'up' ? `nothing to do: every migration before ${stopBefore} is applied` : 'nothing to do');
      return 0;
    }
    if (target) what = `${direction} to ${target} (the last one to ${direction === 'up' ? 'apply' : 'undo'})`;
    run = async () => {
      const ran = await migrate(url, { direction, target, schema, singleTransaction, log });
      log(ran.length ? `${direction}: ${ran.length} migration(s) done` : 'nothing to do');
    };
  }

  for (let attempt = 0; ; attempt++) {
    try {
      log(`attempt ${attempt + 1}/${retries + 1}: ${what}`);
      await run();
      return 0;
    } catch (err) {
      if (!isRetryable(err)) throw err;
      log(`${isDeadlock(err) ? 'deadlock' : 'lock timeout'}: ${describeError(err)}; waited on: ${await lockHolders(url, schema)}`);
      if (attempt >= retries) throw err;
      const wait = backoffMs(attempt, baseMs);
      log(`retrying in ${wait} ms (attempt ${attempt + 2} of ${retries + 1}); finished migrations stay applied`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  log(`error: ${errorLine(err)}`);
  process.exit(exitCode(err));
}
