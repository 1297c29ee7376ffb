// The invariant catalogue. Each invariant is one SQL file in sql/invariants/ that returns the
// rows violating it (tbl, row_id, detail); it holds when that query returns nothing.
import type pg from 'pg';
import { sqlText } from '../lib/sql.ts';

/** Where in the pack's life a check runs. */
export type Phase = 'transition' | 'validated' | 'contracted' | 'rolledback' | 'reapplied';

export interface Invariant {
  name: string;
  says: string;
  phases: Phase[];
  /** a harness-only SQL file to run first */
  prepare?: string;
}

export const INVARIANTS: Invariant[] = [
  { name: 'mapping_follows_rule', says: 'every mappable value is mapped to the row the rule picks, and nothing else is mapped', phases: ['transition', 'validated', 'contracted', 'reapplied'] },
  { name: 'image_ids_resolve', says: 'no image_id points at a missing storage row; post images belong to the post\'s organization', phases: ['transition', 'validated', 'contracted', 'reapplied'] },
  { name: 'columns_agree', says: 'during the transition the old and new columns agree', phases: ['transition', 'validated'] },
  { name: 'unmapped_preserved', says: 'every unmapped non-null value is preserved (column, then archive)', phases: ['transition', 'validated', 'contracted', 'rolledback', 'reapplied'], prepare: 'invariants/old_values.sql' },
  { name: 'row_counts_unchanged', says: 'no table gains or loses a row through the pack', phases: ['transition', 'validated', 'contracted', 'rolledback', 'reapplied'] },
  { name: 'constraints_valid', says: 'the foreign keys are validated, the same-organization triggers are on, and no index is INVALID', phases: ['validated', 'contracted', 'reapplied'] },
  { name: 'roundtrip_identical', says: 'after a full down the old columns equal the originals on every row', phases: ['rolledback'] },
  { name: 'schema_restored', says: 'after a full down the schema is the baseline again, with nothing left behind', phases: ['rolledback'] },
  { name: 'no_broken_links', says: 'every mapped row\'s storage file_key equals its value from before the migration', phases: ['transition', 'validated', 'contracted', 'reapplied'] },
];

export interface Violation {
  tbl: string;
  row_id: string | null;
  detail: string;
}

export interface InvariantResult {
  name: string;
  phase: Phase;
  ok: boolean;
  violations: number;
  /** the first few offending rows */
  examples: Violation[];
  ms: number;
}

const EXAMPLES = 5;

/** Snapshot of the data before the pack (schema verify in the scratch database). */
export async function snapshot(client: pg.ClientBase): Promise<void> {
  await client.query(sqlText('invariants/snapshot.sql'));
}

/**
 * The one violations query: a check's SQL returns the offending rows (tbl, row_id, detail); this
 * counts them and keeps the first few, in a stable order. The invariants and verify-online's
 * checks all run through it.
 */
export async function violations(client: pg.ClientBase, text: string, params: unknown[] = []): Promise<{ violations: number; examples: Violation[] }> {
  const body = text.trim().replace(/;\s*$/, '');
  const { rows } = await client.query<Violation & { total: string }>(
    `SELECT v.*, count(*) OVER () AS total FROM (${body}) v ORDER BY v.tbl, v.row_id LIMIT ${EXAMPLES}`,
    params,
  );
  return { violations: rows.length ? Number(rows[0].total) : 0, examples: rows.map(({ tbl, row_id, detail }) => ({ tbl, row_id, detail })) };
}

export async function checkInvariant(client: pg.ClientBase, name: string, phase: Phase): Promise<InvariantResult> {
  const t0 = performance.now();
  const prepare = INVARIANTS.find((i) => i.name === name)?.prepare;
  if (prepare) await client.query(sqlText(prepare));
  const v = await violations(client, sqlText(`invariants/${name}.sql`));
  return { name, phase, ok: v.violations === 0, ...v, ms: Math.round(performance.now() - t0) };
}

export async function checkPhase(client: pg.ClientBase, phase: Phase): Promise<InvariantResult[]> {
  const out: InvariantResult[] = [];
  for (const inv of INVARIANTS.filter((i) => i.phases.includes(phase))) out.push(await checkInvariant(client, inv.name, phase));
  return out;
}

export function formatViolation(r: InvariantResult): string {
  const rows = r.examples.map((v) => `${v.tbl}${v.row_id ? ' ' + v.row_id : ''}: ${v.detail}`).join('; ');
  return `${r.name} (${r.phase}) failed on ${r.violations} row(s): ${rows}`;
}
