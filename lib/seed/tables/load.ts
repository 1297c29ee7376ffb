// How the seeder loads: the tables must exist and be empty; as a superuser on tables without user
// triggers, foreign keys are checked in bulk at the end instead of row by row.
import pg from 'pg';
import type { SeedContext } from './context.ts';

export const TABLES = ['organization', 'user', 'member', 'storage', 'posts', 'post_likes'] as const;

/** The baseline's foreign keys: [table, column, referenced table (its id)]. */
const FOREIGN_KEYS: [string, string, string][] = [
  ['member', 'organization_id', 'organization'],
  ['member', 'user_id', 'user'],
  ['storage', 'user_id', 'user'],
  ['storage', 'organization_id', 'organization'],
  ['posts', 'organization_id', 'organization'],
  ['posts', 'user_id', 'user'],
  ['post_likes', 'post_id', 'posts'],
  ['post_likes', 'user_id', 'user'],
];

/**
 * The baseline's tables must exist and be empty. Decides the load mode: foreign-key triggers off
 * and a set-based validation instead (fast) needs a superuser and no user triggers on the tables
 * (a migration's sync triggers must fire); otherwise row-by-row checks (slow but always allowed).
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

/**
 * Foreign keys are row triggers: checking ~8M references one by one costs more than the rest of
 * the load. The fast load disables them for its transaction only; this checks every reference with
 * one set-based query per foreign key before COMMIT.
 */
export async function validateForeignKeys(ctx: SeedContext, client: pg.ClientBase): Promise<void> {
  ctx.progress('validate', 0, FOREIGN_KEYS.length);
  await client.query(`SET LOCAL session_replication_role = origin`);
  await client.query(`SET LOCAL work_mem = '128MB'`);
  let done = 0;
  for (const [table, col, ref] of FOREIGN_KEYS) {
    const t = pg.escapeIdentifier(table);
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${t} c WHERE c.${col} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${pg.escapeIdentifier(ref)} r WHERE r.id = c.${col})`,
    );
    if (Number(rows[0].n) > 0) throw new Error(`seed bug: ${rows[0].n} row(s) of ${table}.${col} reference no ${ref}`);
    ctx.progress('validate', ++done, FOREIGN_KEYS.length);
  }
}
