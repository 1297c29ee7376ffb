// make migrate / make rollback / make backfill, against DATABASE_URL.
//   up [N]        apply all (or N) pending migrations
//   down [N]      roll back all (or N) applied migrations
//   backfill      rerun the backfill alone (the remedy when the contract refuses)
// Options: --no-single-transaction. Environment: DATABASE_URL (required), STOP_BEFORE (a
// migration name: up runs every pending migration before it, e.g. 09_contract-user),
// MIGRATE_RETRIES (default 5), MIGRATE_RETRY_BASE_MS (default 1000), BACKFILL_BATCH_SIZE,
// BACKFILL_PAUSE_MS. A lock timeout (SQLSTATE 55P03) is retried with exponential backoff and
// full jitter; every other error stops at once with a one-line message.
// Exit codes: 0 done, 1 failed, 2 bad input (no DATABASE_URL, unreachable, login, no baseline).
import pg from 'pg';
import { migrate, migrationNames } from './migrate.ts';
import { DEFAULT_BATCH_SIZE } from '../migrations/lib/sql.ts';
import { describeError, isLockTimeout, isMissingBaseline } from './errors.ts';
import { sqlFile, withClient } from './target.ts';

const log = (line: string) => process.stderr.write(line + '\n');

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new BadInput(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

class BadInput extends Error {}

/** Exponential backoff with full jitter, capped at 30 s. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(30_000, baseMs * 2 ** attempt));
}

async function lockHolders(url: string): Promise<string> {
  try {
    const rows = await withClient(url, async (c) => (await c.query(sqlFile('lib/lock_holders.sql'))).rows);
    if (rows.length === 0) return 'no session holds a lock on posts, "user" or storage now';
    return rows.map((r) => `pid ${r.pid} (${r.state}, transaction open ${r.xact_seconds ?? '?'} s, holds ${r.locks}): ${r.query}`).join('; ');
  } catch {
    return 'could not list lock holders';
  }
}

/** How many pending migrations come before `name` (read-only). */
async function pendingBefore(url: string, name: string): Promise<number> {
  const names = migrationNames();
  const stop = names.indexOf(name);
  if (stop < 0) throw new BadInput(`STOP_BEFORE=${name} is not a migration; choose one of ${names.join(', ')}`);
  const applied = await withClient(url, async (c) => {
    const { rows } = await c.query(sqlFile('lib/applied_migrations.sql'));
    return new Set(rows.map((r) => r.name as string));
  });
  if ([...applied].some((n) => names.indexOf(n) >= stop)) throw new BadInput(`${name} or a later migration is already applied`);
  return names.slice(0, stop).filter((n) => !applied.has(n)).length;
}

async function backfill(url: string) {
  const batch = intEnv('BACKFILL_BATCH_SIZE', DEFAULT_BATCH_SIZE) || DEFAULT_BATCH_SIZE;
  const pause = intEnv('BACKFILL_PAUSE_MS', 0);
  const c = new pg.Client({ connectionString: url });
  c.on('notice', (n) => log(`  ${n.message}`));
  await c.connect();
  try {
    await c.query(sqlFile('backfill.sql'));
    for (const tbl of ['posts', 'user']) await c.query(`CALL image_ref_backfill($1, $2, $3)`, [tbl, batch, pause]);
    await c.query('DROP PROCEDURE image_ref_backfill(text, integer, integer)');
  } finally {
    await c.end();
  }
}

async function main(argv: string[]): Promise<number> {
  const url = process.env.DATABASE_URL;
  const [command, countArg] = argv.filter((a) => !a.startsWith('--'));
  const singleTransaction = !argv.includes('--no-single-transaction');
  if (!url) throw new BadInput('DATABASE_URL is not set: point it at the database to migrate');
  if (!['up', 'down', 'backfill'].includes(command ?? '')) throw new BadInput('usage: migrate-cli.ts up|down|backfill [N] [--no-single-transaction]');
  let count = countArg === undefined ? undefined : Number(countArg);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new BadInput(`N must be a positive integer, got "${countArg}"`);
  const stopBefore = process.env.STOP_BEFORE;
  if (stopBefore && command === 'up') {
    count = await pendingBefore(url, stopBefore);
    if (count === 0) {
      log(`nothing to do: every migration before ${stopBefore} is applied`);
      return 0;
    }
  }
  const retries = intEnv('MIGRATE_RETRIES', 5);
  const baseMs = intEnv('MIGRATE_RETRY_BASE_MS', 1000);

  for (let attempt = 0; ; attempt++) {
    try {
      log(`attempt ${attempt + 1}/${retries + 1}: ${command}${count ? ' ' + count : ''}`);
      if (command === 'backfill') {
        await backfill(url);
      } else {
        const ran = await migrate(url, { direction: command as 'up' | 'down', count, singleTransaction, log });
        log(ran.length ? `${command}: ${ran.length} migration(s) done` : 'nothing to do');
      }
      return 0;
    } catch (err) {
      if (!isLockTimeout(err)) throw err;
      log(`lock timeout: ${describeError(err)}; waited on: ${await lockHolders(url)}`);
      if (attempt >= retries) throw err;
      const wait = backoffMs(attempt, baseMs);
      log(`retrying in ${wait} ms (attempt ${attempt + 2} of ${retries + 1}); finished migrations stay applied`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

const BAD_INPUT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', '28P01', '28000', '3D000']);

try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  const code = (err as { code?: string }).code;
  log(`error: ${err instanceof BadInput ? err.message : describeError(err)}`);
  process.exit(err instanceof BadInput || BAD_INPUT.has(code ?? '') || isMissingBaseline(err) ? 2 : 1);
}
