// The one SQL loader and preprocessor: every statement the project sends is read through here.
// A file may include another with psql's `\ir relative/path.sql` (relative to the including
// file), so a DBA can run the same file with psql (`psql -v lock_attempt_ms=100 ... -f`).
// Files are never parsed beyond what is needed to send them: comments kept or dropped by line,
// statements split at a semicolon that ends a line, psql-style :name integers filled in.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SQL_DIR = path.join(ROOT, 'sql');

/** A file under sql/, as it is (shared SQL: queries, reports, invariants, lib/). */
export function sqlText(rel: string): string {
  return fs.readFileSync(path.join(SQL_DIR, rel), 'utf8');
}

const INCLUDE = /^\\ir\s+(\S+)\s*$/;

/** The include target of a `\ir path` line, or undefined. */
export const includeOf = (line: string): string | undefined => INCLUDE.exec(line)?.[1];

/**
 * The file with every `\ir` line replaced by the included file's text (recursively), as psql
 * would run it. `seen` guards against an include cycle, which psql would loop on forever.
 */
export function expandFile(file: string, seen: string[] = []): string {
  const abs = path.resolve(file);
  if (seen.includes(abs)) throw new Error(`include cycle: ${[...seen, abs].map((f) => path.relative(ROOT, f)).join(' -> ')}`);
  return fs
    .readFileSync(abs, 'utf8')
    .split('\n')
    .map((line) => {
      const inc = includeOf(line);
      return inc === undefined ? line : expandFile(path.resolve(path.dirname(abs), inc), [...seen, abs]).replace(/\n$/, '');
    })
    .join('\n');
}

/**
 * Splits plain statements (no $$ bodies) on semicolons at line ends, so each can be sent alone:
 * outside a transaction, a multi-statement string runs as one implicit transaction, and CREATE
 * INDEX CONCURRENTLY refuses to run inside one. Whole-line comments are dropped first, so a
 * semicolon at the end of a comment never splits.
 */
export function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A file run statement by statement (outside a transaction): its own statements, split as above,
 * and each `\ir` line as ONE statement holding the whole included file (a procedure or a guard
 * with $$ bodies, sent alone: one implicit transaction), in file order.
 */
export function fileStatements(file: string): string[] {
  const abs = path.resolve(file);
  const out: string[] = [];
  let pending: string[] = [];
  const flush = () => {
    out.push(...splitStatements(pending.join('\n')));
    pending = [];
  };
  for (const line of fs.readFileSync(abs, 'utf8').split('\n')) {
    const inc = includeOf(line);
    if (inc === undefined) {
      pending.push(line);
      continue;
    }
    flush();
    out.push(expandFile(path.resolve(path.dirname(abs), inc), [abs]));
  }
  flush();
  return out;
}

/** Substitutes psql-style :name variables with validated integers; other :words stay as they are. */
export function withIntegers(stmt: string, vars: Record<string, number>): string {
  return stmt.replace(/:(\w+)\b/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

const REPAIR = /^DROP INDEX CONCURRENTLY IF EXISTS\s+("?\w+"?)/i;

/**
 * In a file of concurrent index builds, `DROP INDEX CONCURRENTLY IF EXISTS x` is a repair: the
 * index it names (unquoted), to be dropped only when x is INVALID (left by an interrupted build),
 * because `CREATE INDEX ... IF NOT EXISTS` alone would keep the broken index.
 */
export function repairTarget(stmt: string): string | undefined {
  return REPAIR.exec(stmt)?.[1].replaceAll('"', '');
}
