// The integers the pack's SQL files take as :name variables, parsed from the environment once
// per migration. Every .ts wrapper sends its files through stepText / stepStatements.
import { batchSize, intFromEnv, sqlText, statements, withIntegers } from './sql.ts';

/** Each batch's target duration (BACKFILL_TARGET_MS; 0 keeps BACKFILL_BATCH_SIZE fixed): well
 *  under the 250 ms an app write may wait for a batch's row locks. See sql/batches.sql. */
export const DEFAULT_TARGET_MS = 100;

/** One lock attempt (MIGRATE_LOCK_ATTEMPT_MS): what an app statement can wait behind the pack.
 *  Below the 250 ms app budget and well below deadlock_timeout (1 s): see sql/lib/lock_retry.sql. */
export const DEFAULT_LOCK_ATTEMPT_MS = 100;
/** All attempts of one lock together (MIGRATE_LOCK_WAIT_MS) before the step gives up with 55P03. */
export const DEFAULT_LOCK_WAIT_MS = 60_000;

export function packVars(): Record<string, number> {
  return {
    batch_size: batchSize(),
    pause_ms: intFromEnv('BACKFILL_PAUSE_MS', 0, 0),
    target_ms: intFromEnv('BACKFILL_TARGET_MS', DEFAULT_TARGET_MS, 0),
    lock_attempt_ms: intFromEnv('MIGRATE_LOCK_ATTEMPT_MS', DEFAULT_LOCK_ATTEMPT_MS, 1),
    lock_wait_ms: intFromEnv('MIGRATE_LOCK_WAIT_MS', DEFAULT_LOCK_WAIT_MS, 0),
  };
}

/** A whole file as one string: sent alone, it runs as one (implicit) transaction. */
export const stepText = (rel: string): string => withIntegers(sqlText(rel), packVars());

/** A file of plain statements, one string each (outside a transaction, each commits alone). */
export const stepStatements = (rel: string): string[] => {
  const vars = packVars();
  return statements(rel).map((s) => withIntegers(s, vars));
};

/**
 * Every statement of the backfill, in order, as migration 06 sends them: the row-level security
 * guard, the procedures (sql/batches.sql, sql/backfill.sql), then sql/steps/06_backfill.up.sql with its settings and integers.
 * `make backfill` sends the same list, so both paths run with the same settings.
 */
export function backfillStatements(): string[] {
  return [
    sqlText('guards/rows_visible.sql'),
    sqlText('batches.sql'),
    sqlText('backfill.sql'),
    ...stepStatements('steps/06_backfill.up.sql'),
  ];
}
