// The plan: every migration of the pack, in order, with its phase, its transaction mode and the
// parts it sends. Each migration's SQL lives in its own folder, migrations/<name>/ (deploy.sql,
// revert.sql, verify.sql and named extra parts); migrations/<name>.ts is a one-line wrapper that
// hands this plan to node-pg-migrate (lib/step.ts). Whatever needs "the contract", "before the
// backfill" or a step's files asks here instead of matching names.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, fileStatements, expandFile, withIntegers } from './sql.ts';

export const MIGRATIONS_DIR = path.join(ROOT, 'migrations');

/** The pack's phases, in the order they run (pgroll's expand/contract, with the steps between). */
export const PHASES = ['expand', 'transition', 'backfill', 'validate', 'contract'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * How a part's file is sent:
 * - `transaction`: the whole file (includes expanded) as one string, so one implicit transaction
 *   (or a share of the migration's transaction, when the step is transactional);
 * - `statements`: one statement at a time outside a transaction (each commits alone), an `\ir`
 *   line being one statement (lib/sql.ts fileStatements);
 * - `index-builds`: as `statements`, for CREATE INDEX CONCURRENTLY; a DROP INDEX CONCURRENTLY IF
 *   EXISTS is sent only when it names an INVALID index (the repair of an interrupted build).
 */
export type PartMode = 'transaction' | 'statements' | 'index-builds';
export interface Part {
  file: string;
  mode: PartMode;
}

export interface Step {
  name: string;
  phase: Phase;
  /** true: node-pg-migrate runs the step in one transaction; false: pgm.noTransaction(). */
  transaction: boolean;
  /** in order; the step's transaction boundaries are exactly these parts (when not transactional) */
  deploy: Part[];
  /** in order; empty: the down does nothing (another step's down undoes what this one did) */
  revert: Part[];
}

const tx = (file: string): Part => ({ file, mode: 'transaction' });
const each = (file: string): Part => ({ file, mode: 'statements' });
const indexes = (file: string): Part => ({ file, mode: 'index-builds' });

export const PLAN: readonly Step[] = Object.freeze([
  { name: '01_expand-columns', phase: 'expand', transaction: true, deploy: [tx('deploy.sql')], revert: [tx('revert.sql')] },
  { name: '02_expand-storage-indexes', phase: 'expand', transaction: false, deploy: [indexes('deploy.sql')], revert: [each('revert.sql')] },
  { name: '03_expand-image-id-indexes', phase: 'expand', transaction: false, deploy: [indexes('deploy.sql')], revert: [each('revert.sql')] },
  { name: '04_expand-foreign-keys', phase: 'expand', transaction: true, deploy: [tx('deploy.sql')], revert: [tx('revert.sql')] },
  { name: '05_transition-sync-triggers', phase: 'transition', transaction: true, deploy: [tx('deploy.sql')], revert: [tx('revert.sql')] },
  // No revert: the backfill only filled image_id, which 01's down drops. Clearing it here would
  // fire the sync trigger and clear the old keys too.
  { name: '06_backfill', phase: 'backfill', transaction: false, deploy: [each('deploy.sql')], revert: [] },
  // No revert: a validated key is the same key; 04's down drops it.
  { name: '07_validate-foreign-keys', phase: 'validate', transaction: true, deploy: [tx('deploy.sql')], revert: [] },
  {
    name: '08_contract-posts',
    phase: 'contract',
    transaction: false,
    // the archive and its triggers; the archive pass in batches (which checks every row); the drop
    deploy: [tx('deploy.sql'), each('deploy-archive.sql'), tx('deploy-drop.sql')],
    // the column back, empty, with the sync trigger; the values back in batches; the archive
    // dropped; the storage trigger dropped (in its own transaction: it locks storage)
    revert: [tx('revert.sql'), each('revert-restore.sql'), tx('revert-finish.sql'), tx('revert-finish-storage.sql')],
  },
  {
    name: '09_contract-user',
    phase: 'contract',
    transaction: false,
    // "user".image stays (better-auth): the archive and its triggers; the archive pass (which
    // checks every row); the sync trigger detached; the object keys cleared out of the column in
    // batches, the unmapped ones archived as they go
    deploy: [tx('deploy.sql'), each('deploy-archive.sql'), tx('deploy-detach.sql'), each('deploy-clear.sql')],
    // the sync trigger attached again; the values back in batches; the archive dropped; the
    // storage trigger dropped (in its own transaction: it locks storage)
    revert: [tx('revert.sql'), each('revert-restore.sql'), tx('revert-finish.sql'), tx('revert-finish-storage.sql')],
  },
]);

/**
 * Opt-in steps: never part of a plain `up`. They live in migrations/opt-in/, which holds links
 * to the plan's wrappers and their own, so node-pg-migrate pointed there (`-m migrations/opt-in`)
 * sees the whole history in one migrations table, and the main folder's `down` cannot undo a
 * plan step under an applied opt-in step.
 */
export const OPT_IN_DIR = 'opt-in';
export const OPT_IN: readonly Step[] = Object.freeze([
  // "user".image dropped (better-auth must be configured without it: README); refuses unless
  // image_ref.drop_user_image = yes. One transaction: the URLs kept, the column dropped.
  { name: '10_drop-user-image', phase: 'contract', transaction: true, deploy: [tx('deploy.sql')], revert: [tx('revert.sql')] },
]);

export const names = (): string[] => PLAN.map((s) => s.name);

export function stepNamed(name: string): Step {
  const s = PLAN.find((p) => p.name === name) ?? OPT_IN.find((p) => p.name === name);
  if (!s) throw new Error(`${name} is not a migration of the plan`);
  return s;
}

/** The folder of a step's SQL: migrations/<name>/, or migrations/opt-in/<name>/. */
const stepDir = (name: string): string =>
  OPT_IN.some((s) => s.name === name) ? path.join(MIGRATIONS_DIR, OPT_IN_DIR, name) : path.join(MIGRATIONS_DIR, stepNamed(name).name);

/** The position of the first step of `phase` (0-based): also how many steps run before it. */
export function firstOf(phase: Phase): number {
  const i = PLAN.findIndex((s) => s.phase === phase);
  if (i < 0) throw new Error(`no ${phase} step in the plan`);
  return i;
}

/** The position of the last step of `phase`. */
export function lastOf(phase: Phase): number {
  const i = firstOf(phase);
  let last = i;
  while (PLAN[last + 1]?.phase === phase) last++;
  return last;
}

/** Names of the steps of `phase`, in order. */
export const stepsOf = (phase: Phase): string[] => PLAN.filter((s) => s.phase === phase).map((s) => s.name);

/** How many steps run up to and including `name` (an `up N` count). */
export const countThrough = (name: string): number => names().indexOf(stepNamed(name).name) + 1;

/** The absolute path of one of a step's files (deploy.sql, verify.sql, ...). */
export const stepFile = (name: string, file: string): string => path.join(stepDir(name), file);

/** What a part sends, in order, with the integers filled in. */
export function partStatements(name: string, part: Part, vars: Record<string, number>): string[] {
  const file = stepFile(name, part.file);
  const texts = part.mode === 'transaction' ? [expandFile(file)] : fileStatements(file);
  return texts.map((t) => withIntegers(t, vars));
}

/** The step's verify query (sqitch's verify): named check rows. */
export const verifyText = (name: string): string => fs.readFileSync(stepFile(name, 'verify.sql'), 'utf8');

/** Every statement of a step's deploy or revert, in order (repairs included: see lib/step.ts). */
export function stepStatements(name: string, direction: 'deploy' | 'revert', vars: Record<string, number>): string[] {
  return stepNamed(name)[direction].flatMap((part) => partStatements(name, part, vars));
}

/** The backfill's statements, as its migration sends them; `make backfill` sends the same list. */
export const backfillStatements = (vars: Record<string, number>): string[] => stepStatements(stepsOf('backfill')[0], 'deploy', vars);
