// The states every migration walks (pgroll's test per operation): before it, after its up, after
// its down, and up again. Each `it` gets its own database, cloned from a template that holds the
// hand-made mapping cases with every earlier migration applied, so any `it` runs alone.
import { it, expect } from 'vitest';
import { casesDb, cloneDb, connect, withDb } from '../db.ts';
import { migrate } from '../../../lib/migrate.ts';
import { countThrough, stepNamed, verifyText } from '../../../lib/plan.ts';

// The shape of the app's schema, by name (a column dropped and added again lands at another
// position; that is the same schema to the app). node-pg-migrate's own table is left out: it
// appears with the first migration and stays.
const SHAPE = `
SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS what
  FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'pgmigrations%'
UNION ALL
SELECT 'index', indexrelid::regclass::text || ' ' || pg_get_indexdef(indexrelid) || ' valid=' || indisvalid
  FROM pg_index WHERE indrelid::regclass::text NOT LIKE 'pgmigrations%' AND indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
UNION ALL
SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'pgmigrations%'
UNION ALL
SELECT 'trigger', tgrelid::regclass::text || ' ' || pg_get_triggerdef(oid) || ' enabled=' || tgenabled::text
  FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'routine', p.oid::regprocedure::text
  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
UNION ALL
SELECT 'table', relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND relname <> 'pgmigrations'
ORDER BY 1, 2`;

// Every row of the app's tables, whole (jsonb: a column's position does not matter).
const DATA = `
SELECT (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.id) FROM posts t)::text AS posts,
       (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.id) FROM "user" t)::text AS users,
       (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.id) FROM storage t)::text AS storage`;

export interface State {
  shape: string[];
  data: Record<string, string | null>;
}

/** The schema's shape and every row of the app's tables. */
export async function state(url: string): Promise<State> {
  return withDb(url, async (c) => ({
    shape: (await c.query<{ kind: string; what: string }>(SHAPE)).rows.map((r) => `${r.kind} ${r.what}`),
    data: (await c.query(DATA)).rows[0],
  }));
}

/** The step's verify.sql rows: check name → holds. A verify query that errors holds nothing. */
export async function verifyRows(url: string, name: string): Promise<Record<string, boolean>> {
  return withDb(url, async (c) => {
    try {
      const { rows } = await c.query<{ check: string; ok: boolean }>(verifyText(name));
      return Object.fromEntries(rows.map((r) => [r.check, r.ok === true]));
    } catch {
      return {};
    }
  });
}

/**
 * A function that returns a new database in the state just before `name`: the mapping cases,
 * every earlier migration applied. The template is made once per test file, on first use.
 */
export function before(name: string): () => Promise<string> {
  let template: Promise<string> | undefined;
  const make = async () => {
    const url = await casesDb();
    const count = countThrough(name) - 1;
    if (count > 0) await migrate(url, { direction: 'up', count });
    return url;
  };
  return async () => cloneDb(await (template ??= make()));
}

export const up = (url: string) => migrate(url, { direction: 'up', count: 1 });
export const down = (url: string) => migrate(url, { direction: 'down', count: 1 });

/** The three states every migration walks; a migration's own file adds its failure cases. */
export function walkStates(name: string, fresh: () => Promise<string>): void {
  const step = stepNamed(name);

  it('up: every check of its verify.sql holds after it, and not before it', async () => {
    const url = await fresh();
    const beforeUp = await verifyRows(url, name);
    expect(await up(url)).toEqual([name]);
    const after = await verifyRows(url, name);
    expect(Object.keys(after).length).toBeGreaterThan(0);
    expect(Object.entries(after).filter(([, ok]) => !ok)).toEqual([]);
    expect(Object.values(beforeUp).every(Boolean) && Object.keys(beforeUp).length === Object.keys(after).length).toBe(false);
  });

  it(step.revert.length > 0 ? 'down: the schema and the old values exactly as before its up' : 'down: nothing to undo, so nothing changes (a later down undoes it)', async () => {
    const url = await fresh();
    const s0 = await state(url);
    await up(url);
    const s1 = await state(url);
    expect(s1).not.toEqual(s0);
    expect(await down(url)).toEqual([name]);
    expect(await state(url)).toEqual(step.revert.length > 0 ? s0 : s1);
  });

  it('up again after its down: the same state as the first up', async () => {
    const url = await fresh();
    await up(url);
    const first = await state(url);
    await down(url);
    expect(await up(url)).toEqual([name]);
    expect(await state(url)).toEqual(first);
    expect(Object.entries(await verifyRows(url, name)).filter(([, ok]) => !ok)).toEqual([]);
  });
}
