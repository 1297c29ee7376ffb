// The real drizzle-kit CLI (node_modules/.bin/drizzle-kit) with the app's config, for the schema
// and drift tests. DRIZZLE_SCHEMA picks the deployed state (app/schema/states/NAME.ts).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { ROOT } from '../../../lib/sql.ts';

/**
 * node-pg-migrate's flags for a Drizzle app: its table (and the table's sequence, which
 * drizzle-kit's tablesFilter cannot exclude) in a schema of its own, outside the config's
 * schemaFilter (README, "Adopting the pack in a Drizzle app").
 */
export const PACK_MIGRATIONS = ['--migrations-schema', 'pack_migrations', '--create-migrations-schema'];

export type State = 'before' | 'transition' | 'after' | 'after-drop';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'node_modules/.bin/drizzle-kit');
export const CONFIG = 'app/drizzle.config.ts';

export interface KitRun {
  code: number;
  out: string;
}

/** Runs `drizzle-kit args… --config app/drizzle.config.ts` with stdin closed (not a TTY, as in CI). */
export async function drizzleKit(args: string[], env: Record<string, string>, cwd = ROOT): Promise<KitRun> {
  try {
    const r = await run(BIN, [...args], { cwd, env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export const schemaOf = (state: State) => `./app/schema/states/${state}.ts`;

/**
 * `drizzle-kit push --strict --verbose` of a state's schema against url. Without a TTY, push
 * never applies anything under --strict: with no change it prints "No changes detected", and
 * otherwise it prints the statements it would run, then fails at the approval prompt. So this
 * returns the statements push proposes (empty when it proposes none), and the whole output.
 */
export async function pushProposes(url: string, state: State): Promise<{ statements: string[]; out: string }> {
  const r = await drizzleKit(['push', '--config', CONFIG, '--strict', '--verbose'], {
    DATABASE_URL: url,
    DRIZZLE_SCHEMA: schemaOf(state),
  });
  const out = r.out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  if (/No changes detected/.test(out)) return { statements: [], out };
  // The statements come after this header, in groups separated by blank lines, and end where
  // drizzle-kit's next warning, question or error begins.
  const at = out.indexOf('You are about to execute');
  if (at < 0) throw new Error(`drizzle-kit push said neither "No changes detected" nor what it would run:\n${out}`);
  const lines = out.slice(out.indexOf('\n', at) + 1).split('\n');
  const end = lines.findIndex((l) => /^\s*(Warning|Error|Do you|·)/.test(l));
  const statements = (end < 0 ? lines : lines.slice(0, end)).map((l) => l.trim()).filter(Boolean);
  return { statements, out };
}

/**
 * What push proposes against a database that matches the schema exactly (one drizzle-kit made
 * itself): nothing, except on PostgreSQL 18. There drizzle-kit 0.31 reads post_likes' primary
 * key columns as (user_id, post_id), because its catalog query has no ORDER BY and PostgreSQL 18
 * returns them in another order, and proposes to re-create the key. Measured on a database made
 * by drizzle-kit push itself, so it is drizzle-kit's, not the pack's.
 */
export async function pushOnMatchingSchema(c: pg.Client): Promise<string[]> {
  const v = Number((await c.query('SHOW server_version_num')).rows[0].server_version_num);
  if (v < 180000) return [];
  return [
    'ALTER TABLE "post_likes" DROP CONSTRAINT "post_likes_pkey";',
    '--> statement-breakpoint',
    'ALTER TABLE "post_likes" ADD CONSTRAINT "post_likes_pkey" PRIMARY KEY("post_id","user_id");',
  ];
}

/** drizzle-kit's DDL for a state (`drizzle-kit export`), no database involved. */
export async function exportSql(state: State): Promise<string> {
  const r = await drizzleKit(['export', '--config', CONFIG], { DRIZZLE_SCHEMA: schemaOf(state) });
  if (r.code !== 0) throw new Error(`drizzle-kit export failed:\n${r.out}`);
  return r.out;
}

/** The catalog of one schema (harness/test/app/catalog.sql), one "kind name: definition" line a row. */
export async function catalog(c: pg.Client, schema = 'public'): Promise<string[]> {
  const sql = fs.readFileSync(path.join(import.meta.dirname, 'catalog.sql'), 'utf8');
  return (await c.query(sql, [schema])).rows.map((r) => `${r.kind} ${r.name}: ${r.definition}`);
}
