// The feed's plan guard: EXPLAIN a prepared statement the way the plan cache runs it, then walk
// the plan tree for what must never be there at scale. Used by harness/test/plan.test.ts and
// printed by the benchmark (bench/run.ts).
import type pg from 'pg';
import { sqlText } from './sql.ts';

const EXPLAIN_PREPARED = sqlText('lib/explain_prepared.sql');

/** One node of EXPLAIN (FORMAT JSON, VERBOSE). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export type PlanMode = 'generic' | 'custom';

/** A parameter as EXPLAIN EXECUTE gets it: text, cast by the server to the parameter's type. */
function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/**
 * The plan of `text` for `values`: 'generic' is the plan a prepared statement settles on after
 * five runs (it does not know the values), 'custom' the plan for these values.
 */
export async function explainPrepared(c: pg.Client, text: string, values: unknown[], mode: PlanMode): Promise<PlanNode> {
  const name = `plan_guard_${Math.random().toString(36).slice(2, 10)}`;
  await c.query(EXPLAIN_PREPARED);
  await c.query({ name, text, values }); // creates the named prepared statement
  await c.query(mode === 'generic' ? 'SET plan_cache_mode = force_generic_plan' : 'SET plan_cache_mode = force_custom_plan');
  try {
    const { rows } = await c.query<{ plan: { Plan: PlanNode }[] }>('SELECT pg_temp.explain_prepared($1, $2) AS plan', [
      name,
      values.map(asText),
    ]);
    return rows[0].plan[0].Plan;
  } finally {
    await c.query('RESET plan_cache_mode');
    await c.query(`DEALLOCATE ${name}`);
  }
}

export function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

const FEED_INDEX = 'posts_organization_id_created_at_id_idx';
/** storage by id: 03's hash index, which the feed's lookups are written for; the primary key before 03. */
const STORAGE_ID_INDEXES = ['storage_id_hash_idx', 'storage_pkey'];
/** Tables the feed must reach only through these indexes. */
const ONLY_BY_INDEX: Record<string, string[]> = {
  posts: [FEED_INDEX],
  storage: STORAGE_ID_INDEXES,
  post_likes: ['post_likes_pkey'],
  user: ['user_pkey'],
};

/**
 * What is wrong with a feed plan, one line per finding; empty when the plan is what the feed
 * needs: posts through the feed index (with the keyset cursor as an index condition), storage by
 * id (its hash index or primary key), "user" and post_likes by primary key, no seq scan of any of
 * them, no hashed subplan.
 */
export function feedPlanViolations(plan: PlanNode, opts: { storageLookups: number }): string[] {
  const found: string[] = [];
  const all = [...nodes(plan)];
  const text = JSON.stringify(plan);
  for (const m of new Set(text.match(/hashed SubPlan \d+/g) ?? [])) found.push(`${m}: a subquery run once for all rows, not per row`);
  for (const n of all) {
    const rel = n['Relation Name'];
    if (!rel) continue;
    const allowed = ONLY_BY_INDEX[rel];
    if (!allowed) continue;
    const type = n['Node Type'];
    if (!/^Index (Only )?Scan$/.test(type) || !allowed.includes(String(n['Index Name']))) {
      found.push(`${type} on ${rel}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}: expected an index scan using ${allowed.join(' or ')}`);
    }
  }
  const feed = all.filter((n) => n['Index Name'] === FEED_INDEX);
  if (feed.length !== 1) found.push(`the feed index ${FEED_INDEX} is used ${feed.length} times, expected once`);
  else if (!/ROW\((\w+\.)?created_at, (\w+\.)?id\) </.test(String(feed[0]['Index Cond']))) {
    found.push(`the keyset cursor is not an index condition of ${FEED_INDEX} (Index Cond: ${feed[0]['Index Cond']})`);
  }
  const storage = all.filter((n) => n['Relation Name'] === 'storage').length;
  if (storage !== opts.storageLookups) found.push(`storage is read ${storage} times, expected ${opts.storageLookups} (author avatar, post image)`);
  return found;
}

/** One line per node, indented: for messages and the benchmark's printout. */
export function planOutline(plan: PlanNode): string {
  const lines: string[] = [];
  const walk = (n: PlanNode, depth: number) => {
    const on = n['Relation Name'] ? ` on ${n['Relation Name']}` : '';
    const using = n['Index Name'] ? ` using ${n['Index Name']}` : '';
    const sub = n['Subplan Name'] ? ` [${n['Subplan Name']}]` : '';
    lines.push(`${'  '.repeat(depth)}${n['Node Type']}${on}${using}${sub}`);
    for (const c of n.Plans ?? []) walk(c, depth + 1);
  };
  walk(plan, 0);
  return lines.join('\n');
}
