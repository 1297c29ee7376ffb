// How the seeder loads: the tables must exist and be empty; as a superuser on tables without user
// triggers, indexes are built and foreign keys checked in bulk after the load instead of row by row.
import path from 'node:path';
import pg from 'pg';
import { expandFile } from '../../sql.ts';
import type { SeedContext } from './context.ts';

export const TABLES = ['organization', 'user', 'member', 'storage', 'posts', 'post_likes'] as const;

/**
 * The baseline's tables must exist and be empty. Decides the load mode: indexes and foreign keys
 * dropped for the load and rebuilt in bulk (fast) needs a superuser (dropping them needs the
 * owner) and no user triggers on the tables (a migration's sync triggers must fire, and its
 * objects may depend on the indexes); otherwise row-by-row maintenance (slow but always allowed).
 */
export async function checkSeedable(client: pg.ClientBase): Promise<{ fastLoad: boolean }> {
  const { rows } = await client.query<{ t: string; present: boolean }>(
    `SELECT t, to_regclass(format('%I', t)) IS NOT NULL AS present FROM unnest($1::text[]) AS t`,
    [TABLES],
  );
  const missing = rows.filter((r) => !r.present).map((r) => r.t);
  if (missing.length) throw new Error(`baseline schema not loaded: missing table(s) ${missing.join(', ')}`);
  const parts = TABLES.map((t) => `(SELECT ${pg.escapeLiteral(t)} FROM ${pg.escapeIdentifier(t)} LIMIT 1)`);
  const { rows: nonEmpty } = await client.query<{ t: string }>(`SELECT t FROM (${parts.join(' UNION ALL ')}) AS x(t)`);
  if (nonEmpty.length) {
    throw new Error(`seed needs empty tables; already has rows: ${nonEmpty.map((r) => r.t).join(', ')}`);
  }
  const { rows: mode } = await client.query<{ superuser: boolean; user_triggers: string }>(
    `SELECT current_setting('is_superuser') = 'on' AS superuser,
            (SELECT count(*) FROM pg_trigger
              WHERE NOT tgisinternal AND tgrelid = ANY (SELECT to_regclass(format('%I', t)) FROM unnest($1::text[]) AS t)) AS user_triggers`,
    [TABLES],
  );
  return { fastLoad: mode[0].superuser && Number(mode[0].user_triggers) === 0 };
}

const sqlFile = (name: string) => expandFile(path.join(import.meta.dirname, '..', 'sql', name));

/**
 * The fast load's first step, inside seed()'s transaction: every index and constraint of the six
 * tables (and the foreign keys pointing at them) recorded and dropped, the empty tables truncated
 * so that COPY can write frozen rows (lib/seed/sql/defer-indexes.sql says why).
 */
export async function deferIndexes(client: pg.ClientBase): Promise<void> {
  await client.query(sqlFile('defer-indexes.sql'));
}

/** After the COPYs: the indexes built from the rows, then the foreign keys, each checked in one pass. */
export async function rebuildIndexes(ctx: SeedContext, client: pg.ClientBase): Promise<void> {
  await client.query(sqlFile('build-settings.sql'));
  ctx.progress('indexes', 0, 2);
  await client.query(sqlFile('rebuild-indexes.sql'));
  ctx.endPhase('indexes');
  ctx.progress('indexes', 1, 2);
  await client.query(sqlFile('add-foreign-keys.sql'));
  ctx.endPhase('foreign keys');
  ctx.progress('indexes', 2, 2);
}
