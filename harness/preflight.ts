// make preflight: what the pack will find in DATABASE_URL, before anything changes. Read-only,
// safe on production: every query runs in one READ ONLY transaction (sql/preflight/begin.sql),
// so the server itself refuses any write.
//
//   npx tsx harness/preflight.ts [--json]
//
// Reports, for posts.image_key and "user".image: rows, NULLs, values that map by the rule, the
// unmapped ones by reason, keys with several candidate storage rows, rows already carrying an
// image_id (mid-way), and the backfill batches to expect (BACKFILL_BATCH_SIZE, default 1000);
// for storage: the rows nothing will reference. Then the production settings that make the pack
// refuse in 01, or that need the DBA's attention: who runs it and who owns the tables, row-level
// security that could hide rows, partitioned tables, image_id columns that already exist, keys
// longer than a btree entry, and publications. Each problem is a WARNING line printed first.
// SQL: sql/preflight/*.sql.
// Exit codes: 0 report printed, 1 a query failed, 2 bad input (no DATABASE_URL, unreachable,
// login refused, baseline tables missing).
import pg from 'pg';
import { sqlText } from '../lib/sql.ts';
import { migrationNames } from '../lib/migrate.ts';
import { errorLine, exitCode } from '../lib/errors.ts';
import { connectClient } from '../lib/db.ts';
import { BadInput, databaseUrl, intSetting, KNOBS } from '../lib/settings.ts';
import { formatTable } from '../lib/table.ts';

const DEFAULT_BATCH_SIZE = KNOBS.BACKFILL_BATCH_SIZE.default;

/** Queries in one READ ONLY, REPEATABLE READ transaction: one snapshot, no writes possible. */
export interface ReadOnlySession {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export async function openReadOnly(url: string): Promise<ReadOnlySession> {
  // Bounded by PGCONNECT_TIMEOUT like make migrate's, so a silent host exits the same (2).
  const client = await connectClient(url, { application_name: 'imgref-preflight' });
  try {
    await client.query(sqlText('preflight/begin.sql'));
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
  return {
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await client.query<R>(sql, params)).rows;
    },
    async close() {
      await client.query(sqlText('preflight/end.sql')).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

export class MissingBaseline extends BadInput {
  constructor(readonly schema: string, readonly tables: string[], readonly columns: string[]) {
    super(
      `baseline schema not found in schema ${schema}: ` +
        [tables.length ? `missing tables: ${tables.join(', ')}` : '', columns.length ? `missing columns: ${columns.join(', ')}` : '']
          .filter(Boolean)
          .join('; ') +
        ' (point DATABASE_URL at the app\'s database; nothing was changed)',
    );
  }
}


/** "user" is a reserved word: name it the way it must be written in SQL. */
const ident = (name: string) => (name === 'user' ? '"user"' : name);

/** Where a table is in the pack's life, by its columns. */
export type TableState = 'baseline' | 'transition' | 'contracted';

export const POST_REASONS = ['no_storage_row', 'other_organization_only', 'url', 'blank', 'variant'] as const;
export const USER_REASONS = ['no_storage_row', 'url', 'blank', 'variant'] as const;
export type Reason = (typeof POST_REASONS)[number];

export interface TableReport {
  /** the old column the backfill maps */
  column: string;
  state: TableState;
  total: number;
  /** the rest are null after a contract: the old column is gone */
  null: number | null;
  mapped: number | null;
  unmappedTotal: number | null;
  /** rows per reason (only the reasons that apply to the table) */
  unmapped: Partial<Record<Reason, number>> | null;
  /** the smallest row id per reason, to look at */
  examples: Partial<Record<Reason, string>> | null;
  /** mapped keys with several candidate storage rows, and the rows using them */
  duplicates: { keys: number; rows: number } | null;
  /** rows whose image_id is set (null before 01_expand-columns) */
  withImageId: number | null;
  /** the batches image_ref_backfill runs over this table: its pages, in runs of about batch size
   *  rows (null after a contract: there is nothing left to backfill) */
  batches: number | null;
  /** rows whose value is longer than 2704 bytes (null after a contract) */
  longValues: number | null;
}

export interface StorageReport {
  total: number;
  /** rows no post and no user will reference after the backfill, by the rule */
  unreferenced: number;
  /** of those: rows whose key no value names */
  neverNamed: number;
  /** of those: duplicates the rule does not pick (an older row with the key wins) */
  duplicateNotPicked: number;
  unreferencedBytes: number;
  example: string | null;
}

export interface Policy { name: string; command: string; permissive: boolean; using: string | null }

/** posts, "user" or storage as the catalogs describe it (sql/preflight/tables.sql). */
export interface TableFacts {
  table: string;
  /** pg_class.relkind: r a plain table, p partitioned, v view, f foreign, m materialized view */
  kind: string;
  isPartition: boolean;
  hasChildren: boolean;
  owner: string;
  /** the current role is the owner itself (not just a member of it) */
  roleIsOwner: boolean;
  rls: boolean;
  rlsForced: boolean;
  /** false: row-level security could hide rows from the current role */
  seesAllRows: boolean;
  policies: Policy[];
}

export interface ProductionReport {
  role: { name: string; superuser: boolean; bypassRls: boolean };
  tables: TableFacts[];
  /** publications that carry posts, "user" or storage, or every table created later */
  publications: { name: string; allTables: boolean; wholeSchema: boolean; appTables: string[] }[];
  /** storage keys longer than 2704 bytes (a btree entry's limit), and the rows holding such a
   *  value in the old columns (null once that column is gone) */
  longKeys: { storage: { keys: number; longest: number; examples: string[] }; posts: number | null; user: number | null };
  /** image_id columns found before 01 has run (empty once 01 is applied: then they are the pack's) */
  strayImageIds: { table: string; type: string; notNull: boolean; hasDefault: boolean; withValue: number }[];
  /** physical standbys streaming from this server (sql/preflight/replicas.sql): hidden are those
   *  whose lag this role cannot see (no pg_monitor), so the batches' lag ceiling cannot either */
  replicas: { count: number; hidden: number; names: string[]; replayLagMs: number | null };
  /** each problem, one line: what it means and what to do */
  warnings: string[];
}

export interface PreflightReport {
  database: string;
  schema: string;
  serverVersion: string;
  standby: boolean;
  /** the pack's migrations applied so far (node-pg-migrate's table), in order */
  applied: string[];
  pending: string[];
  batchSize: number;
  posts: TableReport;
  user: TableReport;
  /** null once a contract has dropped an old column: see sql/reports/orphaned-storage.sql */
  storage: StorageReport | null;
  production: ProductionReport;
  ms: number;
}

interface ReasonRow {
  reason: string;
  rows: string;
  keys: string;
  example: string | null;
  duplicate_rows: string;
  duplicate_keys: string;
  long_rows: string;
}

/** The backfill's batch count, computed as sql/backfill.sql sizes its batches. */
export function expectedBatches(pages: number, rowsPerPage: number, batchSize: number): number {
  const perBatch = Math.max(1, Math.floor(batchSize / rowsPerPage));
  return Math.ceil(pages / perBatch);
}

function tableReport(column: string, state: TableState, rows: ReasonRow[], reasons: readonly Reason[], batches: number): TableReport {
  const by = new Map(rows.map((r) => [r.reason, r]));
  const n = (reason: string) => Number(by.get(reason)?.rows ?? 0);
  const total = rows.reduce((s, r) => s + Number(r.rows), 0);
  const unmapped: Partial<Record<Reason, number>> = {};
  const examples: Partial<Record<Reason, string>> = {};
  for (const reason of reasons) {
    unmapped[reason] = n(reason);
    const ex = by.get(reason)?.example;
    if (ex != null) examples[reason] = ex;
  }
  const mapped = by.get('mapped');
  return {
    column,
    state,
    total,
    null: n('null'),
    mapped: n('mapped'),
    unmappedTotal: reasons.reduce((s, r) => s + n(r), 0),
    unmapped,
    examples,
    duplicates: { keys: Number(mapped?.duplicate_keys ?? 0), rows: Number(mapped?.duplicate_rows ?? 0) },
    withImageId: null,
    batches,
    longValues: rows.reduce((sum, r) => sum + Number(r.long_rows ?? 0), 0),
  };
}

function contractedReport(column: string, total: number): TableReport {
  return {
    column, state: 'contracted', total, null: null, mapped: null, unmappedTotal: null, unmapped: null,
    examples: null, duplicates: null, withImageId: null, batches: null, longValues: null,
  };
}

/** The tables the pack creates that a publication FOR ALL TABLES (or of the schema) would carry. */
export const PACK_TABLES = ['pgmigrations', 'posts_image_key_archive', 'user_image_archive'] as const;

const KIND: Record<string, string> = { p: 'a partitioned table', v: 'a view', m: 'a materialized view', f: 'a foreign table' };

function policyText(p: Policy): string {
  return `${p.name}${p.command === 'ALL' ? '' : ` FOR ${p.command}`}${p.permissive ? '' : ' AS RESTRICTIVE'}${p.using ? ` USING (${p.using})` : ''}`;
}

/** One line per problem, in the order 01's guards check them. */
export function productionWarnings(p: Omit<ProductionReport, 'warnings'>, applied: string[]): string[] {
  const w: string[] = [];
  const name = (t: string) => ident(t);
  const owners = [...new Set(p.tables.map((t) => t.owner))];
  const notOwned = p.tables.filter((t) => !t.roleIsOwner);
  if (!p.role.superuser && notOwned.length) {
    w.push(
      `role ${p.role.name} does not own ${notOwned.map((t) => `${name(t.table)} (owner ${t.owner})`).join(', ')}: 01 refuses to run as it. ` +
        (owners.length === 1
          ? `Connect as ${owners[0]}, or add PGOPTIONS='-c role=${owners[0]}' to this login.`
          : `The tables have different owners (${owners.join(', ')}): give them one owner, or run as a superuser.`),
    );
  }
  for (const t of p.tables) {
    const kind = KIND[t.kind] ?? (t.isPartition ? 'a partition of another table' : t.hasChildren ? 'the parent of inheritance children' : null);
    if (kind) w.push(`${name(t.table)} is ${kind}: the pack works on plain tables only (CREATE INDEX CONCURRENTLY), 01 refuses.`);
  }
  for (const t of p.tables.filter((x) => !x.seesAllRows)) {
    w.push(
      `row-level security could hide rows of ${name(t.table)} from role ${p.role.name} (enabled${t.rlsForced ? ', forced' : ''}; ` +
        `policies: ${t.policies.length ? t.policies.map(policyText).join(', ') : 'none, so every row is hidden'}). ` +
        `The counts in this report cover only the rows this role sees, and 01 refuses: run the pack as a superuser, a BYPASSRLS role, ` +
        `or the owner (${t.owner})${t.rlsForced ? ` with FORCE lifted (ALTER TABLE ${name(t.table)} NO FORCE ROW LEVEL SECURITY while it runs)` : ''}.`,
    );
  }
  if (!applied.includes('01_expand-columns')) {
    for (const c of p.strayImageIds) {
      const accepted = c.type === 'text' && !c.notNull && !c.hasDefault && c.withValue === 0;
      if (!accepted) {
        w.push(`${name(c.table)}.image_id already exists (${c.type}${c.notNull ? ', NOT NULL' : ''}${c.hasDefault ? ', with a default' : ''}) ` +
          `and ${c.withValue} rows hold a value: the pack adds that column itself, so 01 refuses until it is dropped.`);
      }
    }
  }
  const s = p.longKeys.storage;
  if (s.keys > 0) {
    w.push(`${s.keys} storage.file_key value(s) longer than 2704 bytes (longest ${s.longest}; e.g. ${s.examples.join(', ')}): ` +
      `the pack's lookup index is a hash index and maps them, but a btree index on file_key would fail on them.`);
  }
  for (const [t, n] of [['posts.image_key', p.longKeys.posts], ['"user".image', p.longKeys.user]] as const) {
    if (n) w.push(`${n} row(s) with ${t} longer than 2704 bytes: the pack indexes no such column; a btree index on it would fail.`);
  }
  for (const pub of p.publications) {
    if (pub.allTables || pub.wholeSchema) {
      w.push(`publication ${pub.name} is FOR ${pub.allTables ? 'ALL TABLES' : 'TABLES IN SCHEMA'}: it will publish the tables the pack creates ` +
        `(${PACK_TABLES.join(', ')}); create them on every subscriber first, or publish an explicit table list (README, Production checklist).`);
    }
    if (pub.appTables.length) {
      w.push(`publication ${pub.name} carries ${pub.appTables.map(name).join(', ')}: DDL is not replicated, so run the pack on the subscriber too, ` +
        `columns first (README, Production checklist).`);
    }
  }
  if (p.replicas.hidden > 0) {
    w.push(`${p.replicas.hidden} standby(s) stream from this server, but role ${p.role.name} cannot see their lag (pg_stat_replication shows it ` +
      `only to pg_monitor members): the batches' lag ceiling (BACKFILL_MAX_LAG_MS) cannot hold them back. GRANT pg_monitor TO ${p.role.name} ` +
      `(README, Production checklist), or accept it with BACKFILL_MAX_LAG_MS=0.`);
  }
  return w;
}

interface TableRow {
  tbl: string; kind: string; is_partition: boolean; has_children: boolean; owner: string; role_is_owner: boolean;
  rls: boolean; rls_forced: boolean; sees_all_rows: boolean; policies: Policy[];
}

/** The production settings (sql/preflight/{role,tables,publications,long_keys,image_id_columns}.sql). */
async function production(session: ReadOnlySession, applied: string[], posts: TableReport, user: TableReport): Promise<ProductionReport> {
  const [role] = await session.query<{ name: string; superuser: boolean; bypass_rls: boolean }>(sqlText('preflight/role.sql'));
  const tables = (await session.query<TableRow>(sqlText('preflight/tables.sql'))).map((t) => ({
    table: t.tbl, kind: t.kind, isPartition: t.is_partition, hasChildren: t.has_children, owner: t.owner, roleIsOwner: t.role_is_owner,
    rls: t.rls, rlsForced: t.rls_forced, seesAllRows: t.sees_all_rows, policies: t.policies,
  }));
  const publications = (await session.query<{ name: string; all_tables: boolean; whole_schema: boolean; app_tables: string[] }>(
    sqlText('preflight/publications.sql'),
  ))
    .filter((p) => p.all_tables || p.whole_schema || p.app_tables.length > 0)
    .map((p) => ({ name: p.name, allTables: p.all_tables, wholeSchema: p.whole_schema, appTables: p.app_tables }));
  const [long] = await session.query<{ keys: string; longest: string; examples: string[] }>(sqlText('preflight/long_keys.sql'));
  const strayImageIds = (await session.query<{ tbl: string; type: string; not_null: boolean; has_default: boolean; with_value: string }>(
    sqlText('preflight/image_id_columns.sql'),
  )).map((c) => ({ table: c.tbl, type: c.type, notNull: c.not_null, hasDefault: c.has_default, withValue: Number(c.with_value) }));
  const [rep] = await session.query<{ replicas: number; hidden: number; names: string[]; replay_lag_ms: string | null }>(sqlText('preflight/replicas.sql'));
  const report = {
    role: { name: role.name, superuser: role.superuser, bypassRls: role.bypass_rls },
    replicas: { count: rep.replicas, hidden: rep.hidden, names: rep.names, replayLagMs: rep.replay_lag_ms == null ? null : Number(rep.replay_lag_ms) },
    tables,
    publications,
    longKeys: { storage: { keys: Number(long.keys), longest: Number(long.longest), examples: long.examples }, posts: posts.longValues, user: user.longValues },
    strayImageIds: applied.includes('01_expand-columns') ? [] : strayImageIds,
  };
  return { ...report, warnings: productionWarnings(report, applied) };
}

/** Runs every preflight query in the given read-only session. */
export async function preflight(session: ReadOnlySession, opts: { batchSize?: number } = {}): Promise<PreflightReport> {
  const t0 = performance.now();
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const [where] = await session.query<{ database: string; schema: string | null; server_version: string; standby: boolean }>(
    sqlText('preflight/server.sql'),
  );
  const schema = where.schema ?? '(none: search_path names no existing schema)';

  const cols = await session.query<{ tbl: string; col: string; table_exists: boolean; column_exists: boolean }>(
    sqlText('preflight/schema.sql'),
  );
  const has = (tbl: string, col: string) => cols.some((c) => c.tbl === tbl && c.col === col && c.column_exists);
  const missingTables = [...new Set(cols.filter((c) => !c.table_exists).map((c) => c.tbl))].map(ident).sort();
  const missingColumns = cols
    .filter((c) => c.table_exists && !c.column_exists)
    // the old and the new column are alternatives: one of them must exist
    .filter((c) => !(c.tbl === 'posts' && ['image_key', 'image_id'].includes(c.col) && (has('posts', 'image_key') || has('posts', 'image_id'))))
    .filter((c) => !(c.tbl === 'user' && ['image', 'image_id'].includes(c.col) && (has('user', 'image') || has('user', 'image_id'))))
    .map((c) => `${ident(c.tbl)}.${c.col}`);
  if (missingTables.length || missingColumns.length) throw new MissingBaseline(schema, missingTables, missingColumns);

  const applied = (await session.query<{ name: string }>(sqlText('lib/applied_migrations.sql'), [where.schema])).map((r) => r.name);
  const all = migrationNames();

  const state = (oldCol: boolean, newCol: boolean): TableState => (!oldCol ? 'contracted' : newCol ? 'transition' : 'baseline');
  const postsState = state(has('posts', 'image_key'), has('posts', 'image_id'));
  const userState = state(has('user', 'image'), has('user', 'image_id'));

  const imageIds = has('posts', 'image_id') && has('user', 'image_id')
    ? new Map((await session.query<{ tbl: string; total: string; with_image_id: string }>(sqlText('preflight/image_ids.sql'))).map((r) => [r.tbl, r]))
    : undefined;

  const pages = new Map((await session.query<{ tbl: string; pages: string; rows_per_page: string }>(sqlText('preflight/pages.sql')))
    .map((r) => [r.tbl, expectedBatches(Number(r.pages), Number(r.rows_per_page), batchSize)]));
  const posts = postsState === 'contracted'
    ? contractedReport('image_id', Number(imageIds?.get('posts')?.total ?? 0))
    : tableReport('image_key', postsState, await session.query<ReasonRow>(sqlText('preflight/posts.sql')), POST_REASONS, pages.get('posts')!);
  const user = userState === 'contracted'
    ? contractedReport('image_id', Number(imageIds?.get('user')?.total ?? 0))
    : tableReport('image', userState, await session.query<ReasonRow>(sqlText('preflight/user.sql')), USER_REASONS, pages.get('user')!);
  if (imageIds) {
    posts.withImageId = Number(imageIds.get('posts')!.with_image_id);
    user.withImageId = Number(imageIds.get('user')!.with_image_id);
  }

  let storage: StorageReport | null = null;
  if (postsState !== 'contracted' && userState !== 'contracted') {
    const [s] = await session.query<Record<string, string | null>>(sqlText('preflight/storage.sql'));
    storage = {
      total: Number(s.total),
      unreferenced: Number(s.unreferenced),
      neverNamed: Number(s.never_named),
      duplicateNotPicked: Number(s.duplicate_not_picked),
      unreferencedBytes: Number(s.unreferenced_bytes),
      example: s.example,
    };
  }

  return {
    database: where.database,
    schema,
    serverVersion: where.server_version,
    standby: where.standby,
    applied,
    pending: all.filter((n) => !applied.includes(n)),
    batchSize,
    posts,
    user,
    storage,
    production: await production(session, applied, posts, user),
    ms: Math.round(performance.now() - t0),
  };
}

/** Opens a read-only session on url, runs the preflight, always closes. */
export async function runPreflight(url: string, opts: { batchSize?: number } = {}): Promise<PreflightReport> {
  const session = await openReadOnly(url);
  try {
    return await preflight(session, opts);
  } finally {
    await session.close();
  }
}

// ------------------------------------------------------------------------------------------
// The readable table
// ------------------------------------------------------------------------------------------

const REASON_LABEL: Record<Reason, string> = {
  no_storage_row: 'no storage row',
  other_organization_only: 'other organization only',
  url: 'URL (http/https)',
  blank: "blank ('' or whitespace)",
  variant: 'case/whitespace variant of a key',
};

const table = (rows: string[][], rightAlign: Set<number>): string =>
  formatTable(rows, { align: rows[0].map((_, i) => (rightAlign.has(i) ? 'r' : 'l')) });

const num = (n: number | null | undefined) => (n == null ? '-' : n.toLocaleString('en-US'));

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${bytes.toLocaleString('en-US')} bytes`;
}

function phase(r: PreflightReport): string {
  if (r.applied.length === 0) return 'not applied (baseline schema)';
  const last = r.applied[r.applied.length - 1];
  return `${r.applied.length} of ${r.applied.length + r.pending.length} migrations applied (last: ${last})`;
}

/** The production settings, one line per table, then the publications. */
function productionLines(p: ProductionReport): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [`production settings, as role ${p.role.name} (superuser ${yes(p.role.superuser)}, BYPASSRLS ${yes(p.role.bypassRls)}):`];
  for (const t of p.tables) {
    const kind = KIND[t.kind] ?? (t.isPartition ? 'a partition' : t.hasChildren ? 'an inheritance parent' : 'plain table');
    const rls = !t.rls
      ? 'row-level security off'
      : `row-level security on${t.rlsForced ? ', forced' : ''}, policies: ${t.policies.length ? t.policies.map(policyText).join(', ') : 'none'}; ` +
        (t.seesAllRows ? 'this role sees every row' : 'ROWS CAN BE HIDDEN from this role');
    lines.push(`  ${ident(t.table)}: ${kind}, owner ${t.owner}${t.roleIsOwner ? ' (this role)' : ''}, ${rls}`);
  }
  lines.push(p.publications.length
    ? `  publications: ${p.publications.map((x) => `${x.name} (${x.allTables ? 'ALL TABLES' : x.wholeSchema ? 'TABLES IN SCHEMA' : x.appTables.map(ident).join(', ')})`).join(', ')}`
    : '  publications: none carries these tables');
  const r = p.replicas;
  lines.push(r.count === 0
    ? '  replicas: no physical standby streams from this server'
    : `  replicas: ${r.count} physical standby(s)${r.names.length ? ` (${r.names.join(', ')}; replay lag ${r.replayLagMs ?? 0} ms)` : ''}` +
      (r.hidden ? `, ${r.hidden} whose lag this role cannot see` : ''));
  return lines;
}

export function formatReport(r: PreflightReport): string {
  const { posts, user } = r;
  const head = (t: TableReport, name: string) => (t.state === 'contracted' ? `${name}.image_id (contracted)` : `${name}.${t.column}`);
  const ex = (t: TableReport, reason: Reason) => t.examples?.[reason] !== undefined ? `e.g. ${JSON.stringify(t.examples[reason])}` : '';
  const rows: string[][] = [
    ['', head(posts, 'posts'), '', head(user, '"user"'), ''],
    ['rows', num(posts.total), '', num(user.total), ''],
    ['NULL', num(posts.null), '', num(user.null), ''],
    ['maps by the rule', num(posts.mapped), '', num(user.mapped), ''],
    ['  key has several candidate rows', num(posts.duplicates?.rows), posts.duplicates ? `${num(posts.duplicates.keys)} key(s)` : '',
      num(user.duplicates?.rows), user.duplicates ? `${num(user.duplicates.keys)} key(s)` : ''],
    // "user".image stays (better-auth): its URLs are not archived, they stay in the column.
    ['unmapped (kept, archived at the contract; users\' URLs stay)', num(posts.unmappedTotal), '', num(user.unmappedTotal), ''],
  ];
  for (const reason of POST_REASONS) {
    const applies = (USER_REASONS as readonly string[]).includes(reason);
    rows.push([
      `  ${REASON_LABEL[reason]}`,
      num(posts.unmapped?.[reason]), ex(posts, reason),
      applies ? num(user.unmapped?.[reason]) : 'n/a', applies ? ex(user, reason) : '',
    ]);
  }
  rows.push(['image_id already set', num(posts.withImageId), '', num(user.withImageId), '']);
  rows.push([`backfill batches (of ${num(r.batchSize)})`, num(posts.batches), '', num(user.batches), '']);

  const s = r.storage;
  const storageLine = s
    ? `storage: ${num(s.total)} rows; ${num(s.unreferenced)} that nothing will reference (${mb(s.unreferencedBytes)}): ` +
      `${num(s.neverNamed)} whose key no value names, ${num(s.duplicateNotPicked)} duplicates the rule does not pick` +
      (s.example ? `; e.g. ${JSON.stringify(s.example)}` : '')
    : 'storage: unreferenced rows are listed by sql/reports/orphaned-storage.sql once a contract has run';

  const warnings = r.production.warnings.map((w) => `WARNING: ${w}`);
  return [
    `preflight of database ${r.database}, schema ${r.schema} (PostgreSQL ${r.serverVersion}${r.standby ? ', standby' : ''})`,
    `pack: ${phase(r)}`,
    `read-only: one READ ONLY transaction, one snapshot, ${r.ms} ms`,
    ...(warnings.length ? ['', ...warnings] : []),
    '',
    table(rows, new Set([1, 3])),
    '',
    storageLine,
    '',
    ...productionLines(r.production),
    '',
    'Mapping rule: posts: file_key = image_key byte for byte, in the post\'s organization; "user": file_key = image, any organization; oldest (created_at, then id) wins.',
  ].join('\n');
}

// ------------------------------------------------------------------------------------------
// CLI
// ------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length) throw new BadInput(`unknown argument ${unknown[0]}; usage: preflight.ts [--json]`);
  const url = databaseUrl(process.env, 'inspect (nothing is written)');
  const batchSize = intSetting('BACKFILL_BATCH_SIZE'); // as 06_backfill reads it
  const report = await runPreflight(url, { batchSize });
  process.stdout.write(argv.includes('--json') ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exit(await main(process.argv.slice(2)));
  } catch (err) {
    process.stderr.write(`error: ${errorLine(err)}\n`);
    process.exit(exitCode(err));
  }
}
