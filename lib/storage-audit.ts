// The audit itself (the CLI is harness/storage-audit.ts, make storage-audit): compares the bucket with the database, read-only unless told to delete.
//   (a) objects no row and no key column names, older than AUDIT_GRACE: orphans, deletable
//   (b) storage rows whose object is missing: broken links (by posts, by users, unreferenced)
//   (c) objects only the old key columns or the archive tables name: a rollback needs them
//   (d) objects whose size (or, with --content-types, content type) differs from the row
// It streams: the bucket listing (byte order) and the key scans (COLLATE "C", the same order)
// meet in a merge join, so memory does not grow with the bucket. Exit: 0 no broken links,
// 1 broken links (or a failed delete), 2 bad input. Usage: README, "The object store".
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import pg from 'pg';
import { DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { createObjectStore, objectStoreConfig, ObjectStoreConfigError, type ObjectStore } from '../app/storage.ts';
import { describeError } from './errors.ts';
import { ROOT, sqlText } from './sql.ts';
import { formatTable } from './table.ts';
import { BadInput, isCi, parseGraceMs, textSetting } from './settings.ts';

/** Bad input: printed as one line, exit 2. */
export class AuditInputError extends BadInput {}

export interface AuditOptions {
  graceMs: number;
  /** only keys under this prefix */
  prefix?: string;
  /** HEAD every matched object to compare content types (one request per object) */
  contentTypes?: boolean;
  deleteOrphans?: boolean;
  yes?: boolean;
  /** where --delete-orphans writes the keys it will delete */
  logPath?: string;
  examples?: number;
  /** the schema the app's tables live in (default public) */
  schema?: string;
  now?: number;
  onProgress?: (listed: number, elapsedMs: number, done?: boolean) => void;
  /** awaited after the plan is written and before the first delete (tests; a wrapper that asks) */
  beforeDelete?: (log: string) => Promise<void>;
}

interface BrokenRow { id: string; key: string; createdAt: string; posts: string[]; users: string[] }
interface Example { key: string; size: number; lastModified?: string }

export interface AuditReport {
  bucket: string;
  prefix: string;
  graceSeconds: number;
  listed: { objects: number; bytes: number; pages: number; ms: number };
  storage: { keys: number; rows: number };
  /** (a) */
  orphans: { count: number; bytes: number; examples: Example[] };
  /** objects with no name that are younger than the grace period: uploads still on their way */
  recentOrphans: { count: number; bytes: number };
  /** (b): rows by what shows them; pending = unreferenced rows younger than the grace period */
  missing: { posts: number; users: number; unreferenced: number; pending: number; showingPosts: number; showingUsers: number; rows: BrokenRow[] };
  /** (c) */
  archiveOnly: { count: number; bytes: number; bySource: Record<string, number>; examples: Example[] };
  /** (d) */
  mismatches: { size: number; contentType: number; contentTypesChecked: boolean; examples: Array<{ key: string; object: string; rows: string }> };
  deletion?: { dryRun: boolean; planned: number; plannedBytes: number; deleted: number; skipped: number; failed: number; log: string };
  exitCode: 0 | 1;
}

/**
 * UTF-8 byte order (S3's and COLLATE "C"'s), on JS strings without encoding them: it equals code
 * point order, and UTF-16 code units differ from that only where a surrogate (a code point above
 * U+FFFF) meets U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const xs = x <= 0xdfff;
      if (xs !== y <= 0xdfff) return xs ? 1 : -1;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** A stream of sorted keys read in batches; checks the order as it goes. */
class SortedStream<T extends { key: string }> {
  private batch: T[] = [];
  private i = 0;
  private prev: string | undefined;
  cur: T | undefined;
  /** the current key; undefined at the end */
  key: string | undefined;
  constructor(readonly name: string, private readonly source: AsyncIterator<T[]>) {}
  async advance(): Promise<void> {
    while (this.i >= this.batch.length) {
      const r = await this.source.next();
      if (r.done) {
        this.cur = this.key = undefined;
        return;
      }
      this.batch = r.value;
      this.i = 0;
    }
    this.cur = this.batch[this.i++];
    this.key = this.cur.key;
    if (this.prev !== undefined && compareKeys(this.prev, this.key) >= 0) {
      throw new AuditInputError(`${this.name} is not in byte order at ${JSON.stringify(this.cur.key.slice(0, 200))}: the audit's merge join needs S3's ordering`);
    }
    this.prev = this.key;
  }
}

interface ListedObject { key: string; size: number; lastModified: Date }

/** The bucket, page by page, with the next page already on its way. */
async function* listBucket(store: ObjectStore, prefix: string, stats: AuditReport['listed'], onPage: () => void): AsyncGenerator<ListedObject[]> {
  const page = (token?: string): Promise<ListObjectsV2CommandOutput> =>
    store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix || undefined, MaxKeys: 1000, ContinuationToken: token }));
  let next: Promise<ListObjectsV2CommandOutput> | undefined = page();
  while (next) {
    const r: ListObjectsV2CommandOutput = await next;
    next = r.IsTruncated && r.NextContinuationToken ? page(r.NextContinuationToken) : undefined;
    next?.catch(() => {}); // surfaces when awaited
    const objects = (r.Contents ?? []).map((o) => ({ key: o.Key!, size: Number(o.Size ?? 0), lastModified: o.LastModified ?? new Date(0) }));
    stats.pages++;
    stats.objects += objects.length;
    for (const o of objects) stats.bytes += o.size;
    onPage();
    yield objects;
  }
}

/** Rows of one query through a cursor, FETCH by FETCH, inside the caller's transaction. */
async function* cursor<T>(db: pg.Client, name: string, sql: string, params: unknown[], size = 5000): AsyncGenerator<T[]> {
  await db.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql.trim().replace(/;\s*$/, '')}`, params);
  for (;;) {
    const { rows } = await db.query(`FETCH ${size} FROM ${name}`);
    if (rows.length === 0) break;
    yield rows as T[];
  }
  await db.query(`CLOSE ${name}`);
}

type Schema = Record<'storage' | 'posts_archive' | 'user_archive' | 'posts_image_key' | 'posts_image_id' | 'user_image' | 'user_image_id', boolean>;

/** The non-storage sources of keys that exist in this schema, by name and SQL file. */
function namedSources(s: Schema): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (s.posts_image_key) out.push(['posts.image_key', 'keys-posts-image-key.sql']);
  if (s.user_image) out.push(['user.image', 'keys-user-image.sql']);
  if (s.posts_archive) out.push(['posts_image_key_archive', 'keys-posts-archive.sql']);
  if (s.user_archive) out.push(['user_image_archive', 'keys-user-archive.sql']);
  out.push(['organization.logo', 'keys-logo.sql']);
  return out;
}

const report = (rel: string) => sqlText(path.join('reports/storage-audit', rel));

interface StorageKey { key: string; rows: number; min_size: string; max_size: string; min_type: string; max_type: string }

/** Runs the audit on an open client and store. The caller owns both. */
export async function runAudit(db: pg.Client, store: ObjectStore, opts: AuditOptions): Promise<AuditReport> {
  const now = opts.now ?? Date.now();
  const examples = opts.examples ?? 10;
  const prefix = opts.prefix ?? '';
  const rep: AuditReport = {
    bucket: store.bucket, prefix, graceSeconds: Math.round(opts.graceMs / 1000),
    listed: { objects: 0, bytes: 0, pages: 0, ms: 0 }, storage: { keys: 0, rows: 0 },
    orphans: { count: 0, bytes: 0, examples: [] }, recentOrphans: { count: 0, bytes: 0 },
    missing: { posts: 0, users: 0, unreferenced: 0, pending: 0, showingPosts: 0, showingUsers: 0, rows: [] },
    archiveOnly: { count: 0, bytes: 0, bySource: {}, examples: [] },
    mismatches: { size: 0, contentType: 0, contentTypesChecked: Boolean(opts.contentTypes), examples: [] },
    exitCode: 0,
  };
  await db.query(`SET search_path = ${pg.escapeIdentifier(opts.schema ?? 'public')}`);
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const schema = (await db.query<Schema>(report('schema.sql'))).rows[0];
    if (!schema.storage) throw new AuditInputError(`no storage table in schema ${opts.schema ?? 'public'}: is DATABASE_URL the app's database?`);
    const plan = opts.deleteOrphans ? openPlan(opts, store.bucket) : undefined;
    await mergeJoin(db, store, schema, opts, rep, now, examples, plan?.write);
    if (plan) rep.deletion = { dryRun: !opts.yes, planned: rep.orphans.count, plannedBytes: rep.orphans.bytes, deleted: 0, skipped: 0, failed: 0, log: await plan.close() };
  } finally {
    await db.query('ROLLBACK');
  }
  // Outside the audit's snapshot: the re-check before each delete must see rows written since.
  if (rep.deletion && opts.yes) {
    await opts.beforeDelete?.(rep.deletion.log);
    const schema = (await db.query<Schema>(report('schema.sql'))).rows[0];
    await deletePlanned(db, store, schema, rep.deletion);
  }
  const m = rep.missing;
  rep.exitCode = m.posts + m.users + m.unreferenced > 0 || (rep.deletion?.failed ?? 0) > 0 ? 1 : 0;
  return rep;
}

async function mergeJoin(
  db: pg.Client, store: ObjectStore, schema: Schema, opts: AuditOptions, rep: AuditReport, now: number, examples: number,
  planWrite?: (key: string) => void,
): Promise<void> {
  const started = performance.now();
  let lastTick = 0;
  const objects = new SortedStream<ListedObject>('the bucket listing', listBucket(store, opts.prefix ?? '', rep.listed, () => {
    const t = performance.now() - started;
    if (opts.onProgress && t - lastTick >= 1000) { lastTick = t; opts.onProgress(rep.listed.objects, t); }
  }));
  const storage = new SortedStream<StorageKey>('storage.file_key', cursor(db, 'audit_storage', report('keys-storage.sql'), [null]));
  const named = namedSources(schema).map(([name, file], i) => new SortedStream<{ key: string }>(name, cursor(db, `audit_named_${i}`, report(file), [null])));
  const streams = [objects, storage, ...named];
  // The cursors share one connection: start them one after another.
  for (const s of streams) await s.advance();
  const broken = new BrokenLinks(db, schema, rep, now - opts.graceMs);
  const heads = new HeadPool(store, rep, examples);
  const prefix = opts.prefix ?? '';
  for (;;) {
    let min: string | undefined;
    for (const s of streams) if (s.key !== undefined && (min === undefined || compareKeys(s.key, min) < 0)) min = s.key;
    if (min === undefined) break;
    const at = (s: SortedStream<{ key: string }>) => s.key === min;
    const o = at(objects) ? objects.cur : undefined;
    const row = at(storage) ? storage.cur : undefined;
    const names = named.filter(at).map((s) => s.name);
    for (const s of streams) if (at(s)) await s.advance();
    const key = (o ?? row)?.key;
    if (key === undefined || !key.startsWith(prefix)) continue; // named only, no object and no row: not a storage question
    if (row) { rep.storage.keys++; rep.storage.rows += row.rows; }
    if (o && row) await compare(o, row, rep, heads, examples);
    else if (o) classifyUnnamed(o, names, rep, now - opts.graceMs, examples, planWrite);
    else if (row) await broken.add(row);
  }
  await broken.flush();
  await heads.drain();
  rep.listed.ms = Math.round(performance.now() - started);
  opts.onProgress?.(rep.listed.objects, performance.now() - started, true);
}

/** An object with no storage row: (c) when a key column or archive names it, else (a) or recent. */
function classifyUnnamed(o: ListedObject, names: string[], rep: AuditReport, cutoff: number, examples: number, planWrite?: (key: string) => void): void {
  const ex = { key: o.key, size: o.size, lastModified: o.lastModified.toISOString() };
  if (names.length > 0) {
    rep.archiveOnly.count++;
    rep.archiveOnly.bytes += o.size;
    for (const n of names) rep.archiveOnly.bySource[n] = (rep.archiveOnly.bySource[n] ?? 0) + 1;
    if (rep.archiveOnly.examples.length < examples) rep.archiveOnly.examples.push(ex);
  } else if (o.lastModified.getTime() < cutoff) {
    rep.orphans.count++;
    rep.orphans.bytes += o.size;
    if (rep.orphans.examples.length < examples) rep.orphans.examples.push(ex);
    planWrite?.(o.key);
  } else {
    rep.recentOrphans.count++;
    rep.recentOrphans.bytes += o.size;
  }
}

async function compare(o: ListedObject, row: StorageKey, rep: AuditReport, heads: HeadPool, examples: number): Promise<void> {
  if (Number(row.min_size) !== o.size || Number(row.max_size) !== o.size) {
    rep.mismatches.size++;
    const rows = row.min_size === row.max_size ? row.min_size : `${row.min_size} to ${row.max_size}`;
    if (rep.mismatches.examples.length < examples) rep.mismatches.examples.push({ key: o.key, object: `${o.size} bytes`, rows: `${rows} bytes` });
  }
  if (rep.mismatches.contentTypesChecked) await heads.check(o.key, new Set([row.min_type, row.max_type]));
}

/** HEADs for the content-type check, at most 16 in flight. */
class HeadPool {
  private inflight = new Set<Promise<void>>();
  private error: unknown;
  constructor(private store: ObjectStore, private rep: AuditReport, private examples: number) {}
  async check(key: string, types: Set<string>): Promise<void> {
    if (this.error) throw this.error;
    const p = this.store.client.send(new HeadObjectCommand({ Bucket: this.store.bucket, Key: key })).then(
      (h) => {
        const t = h.ContentType ?? '';
        if (types.size !== 1 || !types.has(t)) {
          this.rep.mismatches.contentType++;
          if (this.rep.mismatches.examples.length < this.examples) this.rep.mismatches.examples.push({ key, object: t || '(none)', rows: [...types].join(', ') });
        }
      },
      // Deleted since the listing: nothing to compare.
      (e) => { if ((e as { name?: string }).name !== 'NotFound') this.error ??= e; },
    ).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    if (this.inflight.size >= 16) await Promise.race(this.inflight);
  }
  async drain(): Promise<void> {
    await Promise.all(this.inflight);
    if (this.error) throw this.error;
  }
}

/** (b): rows with no object, resolved to the posts and users that show them in batches of 500. */
class BrokenLinks {
  private keys: string[] = [];
  private posts = new Set<string>();
  private users = new Set<string>();
  constructor(private db: pg.Client, private schema: Schema, private rep: AuditReport, private cutoff: number) {}
  async add(row: StorageKey): Promise<void> {
    this.keys.push(row.key);
    if (this.keys.length >= 500) await this.flush();
  }
  private async refs(file: string, ids: string[]): Promise<Map<string, string[]>> {
    const m = new Map<string, string[]>();
    const { rows } = await this.db.query<{ storage_id: string; ref_id: string }>(report(file), [ids]);
    for (const r of rows) {
      const list = m.get(r.storage_id) ?? [];
      if (!list.includes(r.ref_id)) list.push(r.ref_id);
      m.set(r.storage_id, list);
    }
    return m;
  }
  async flush(): Promise<void> {
    if (this.keys.length === 0) return;
    const batch = (await this.db.query<{ id: string; key: string; created_at: Date }>(report('rows-by-key.sql'), [this.keys])).rows;
    this.keys = [];
    const ids = batch.map((b) => b.id);
    const s = this.schema;
    // One connection, so one query at a time.
    const maps: Array<Map<string, string[]> | undefined> = [];
    for (const [on, file] of [[s.posts_image_id, 'refs-posts-by-id.sql'], [s.posts_image_key, 'refs-posts-by-key.sql'], [s.user_image_id, 'refs-user-by-id.sql'], [s.user_image, 'refs-user-by-key.sql']] as const) {
      maps.push(on ? await this.refs(file, ids) : undefined);
    }
    const m = this.rep.missing;
    for (const b of batch) {
      const posts = [...new Set([...(maps[0]?.get(b.id) ?? []), ...(maps[1]?.get(b.id) ?? [])])];
      const users = [...new Set([...(maps[2]?.get(b.id) ?? []), ...(maps[3]?.get(b.id) ?? [])])];
      if (posts.length > 0) m.posts++;
      else if (users.length > 0) m.users++;
      else if (b.created_at.getTime() >= this.cutoff) { m.pending++; continue; }
      else m.unreferenced++;
      for (const p of posts) this.posts.add(p);
      for (const u of users) this.users.add(u);
      m.rows.push({ id: b.id, key: b.key, createdAt: b.created_at.toISOString(), posts, users });
    }
    m.showingPosts = this.posts.size;
    m.showingUsers = this.users.size;
  }
}

/** The delete plan: every key (a) holds, one JSON string a line, written before any delete. */
function openPlan(opts: AuditOptions, bucket: string): { write: (key: string) => void; close: () => Promise<string> } {
  const file = opts.logPath ?? path.join(ROOT, 'reports', `storage-audit-delete-${bucket}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
  } catch (e) {
    throw new AuditInputError(`cannot write the delete log ${file}: ${(e as Error).message}`);
  }
  const fd = fs.openSync(file, 'a');
  return {
    write: (key) => fs.writeSync(fd, JSON.stringify(key) + '\n'),
    close: async () => {
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      return file;
    },
  };
}

/**
 * Deletes what the plan lists, 1,000 keys a request. Right before each batch it re-reads those
 * keys in storage and every key column or archive, and keeps any key that gained a name since the
 * listing. Results go to <log>.result. A rerun finds nothing left to delete.
 */
async function deletePlanned(db: pg.Client, store: ObjectStore, schema: Schema, d: NonNullable<AuditReport['deletion']>): Promise<void> {
  const out = fs.openSync(d.log + '.result', 'w');
  const lines = readline.createInterface({ input: fs.createReadStream(d.log, 'utf8'), crlfDelay: Infinity });
  let batch: string[] = [];
  const run = async () => {
    const named = new Set<string>();
    for (const file of ['keys-storage.sql', ...namedSources(schema).map(([, f]) => f)]) {
      for (const r of (await db.query<{ key: string }>(report(file), [batch])).rows) named.add(r.key);
    }
    const keys = batch.filter((k) => !named.has(k));
    for (const k of named) fs.writeSync(out, `skipped ${JSON.stringify(k)} (named since the listing)\n`);
    d.skipped += named.size;
    if (keys.length > 0) {
      const r = await store.client.send(new DeleteObjectsCommand({ Bucket: store.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: false } }));
      for (const x of r.Deleted ?? []) fs.writeSync(out, `deleted ${JSON.stringify(x.Key)}\n`);
      for (const x of r.Errors ?? []) fs.writeSync(out, `failed ${JSON.stringify(x.Key)} ${x.Code}: ${x.Message}\n`);
      d.deleted += r.Deleted?.length ?? 0;
      d.failed += r.Errors?.length ?? 0;
    }
    batch = [];
  };
  try {
    for await (const line of lines) {
      if (line) batch.push(JSON.parse(line) as string);
      if (batch.length === 1000) await run();
    }
    if (batch.length > 0) await run();
  } finally {
    fs.closeSync(out);
  }
}

/** One line for a failure the user can fix, or undefined for a bug. */
export function describeS3Error(err: unknown, store: { bucket: string; endpoint?: string }): string | undefined {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; errors?: Array<{ code?: string }> };
  const where = store.endpoint ?? 'AWS S3';
  const code = e.code ?? e.errors?.find((x) => x.code)?.code;
  if (e.name === 'NoSuchBucket') return `bucket ${JSON.stringify(store.bucket)} does not exist at ${where} (check S3_BUCKET)`;
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken'].includes(e.name ?? '') || e.$metadata?.httpStatusCode === 403) {
    return `the object store at ${where} refused the credentials (${e.name}): check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY`;
  }
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(code)) return `cannot reach the object store at ${where}: ${code} (check S3_ENDPOINT)`;
  if (e.name === 'TimeoutError') return `cannot reach the object store at ${where}: timed out (check S3_ENDPOINT)`;
  return undefined;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const mib = (n: number) => (n / 1048576).toFixed(1) + ' MiB';

/** First and last columns (names, notes) left, the figures between right. */
const table = ([head, ...rows]: string[][]): string =>
  formatTable(rows, { head, align: head.map((_, i) => (i === 0 || i === head.length - 1 ? 'l' : 'r')) });

export function formatReport(r: AuditReport): string {
  const m = r.missing;
  const lines = [
    `bucket ${r.bucket}${r.prefix ? ` (prefix ${JSON.stringify(r.prefix)})` : ''}: ${fmt(r.listed.objects)} objects, ${mib(r.listed.bytes)}, listed in ${(r.listed.ms / 1000).toFixed(1)} s; storage: ${fmt(r.storage.rows)} rows, ${fmt(r.storage.keys)} keys; grace ${r.graceSeconds / 3600} h`,
    '',
    table([
      ['category', 'count', 'bytes', 'note'],
      ['(a) orphaned objects', fmt(r.orphans.count), mib(r.orphans.bytes), 'no row, no key names them, older than the grace period: deletable'],
      ['    recent objects', fmt(r.recentOrphans.count), mib(r.recentOrphans.bytes), 'no row yet, younger than the grace period: left alone'],
      ['(b) missing, posts', fmt(m.posts), '', `rows posts show: ${fmt(m.showingPosts)} posts have a broken image`],
      ['(b) missing, users', fmt(m.users), '', `rows users show: ${fmt(m.showingUsers)} users have a broken avatar`],
      ['(b) missing, unreferenced', fmt(m.unreferenced), '', 'rows nothing shows'],
      ['    pending uploads', fmt(m.pending), '', 'unreferenced rows younger than the grace period'],
      ['(c) archive-only objects', fmt(r.archiveOnly.count), mib(r.archiveOnly.bytes), Object.entries(r.archiveOnly.bySource).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'a rollback needs them: never deleted'],
      ['(d) size mismatches', fmt(r.mismatches.size), '', 'object size differs from storage.size'],
      ['(d) content-type mismatches', r.mismatches.contentTypesChecked ? fmt(r.mismatches.contentType) : '-', '', r.mismatches.contentTypesChecked ? 'object Content-Type differs from storage.content_type' : 'not checked: --content-types HEADs every object'],
    ]),
  ];
  const ex = (title: string, items: string[]) => items.length > 0 && lines.push('', title, ...items.map((x) => '  ' + x));
  ex('(a) examples', r.orphans.examples.map((o) => `${JSON.stringify(o.key)} ${fmt(o.size)} bytes, ${o.lastModified}`));
  ex('(b) broken links (storage id, key: posts / users that show it)', m.rows.slice(0, 20).map((b) => `${b.id} ${JSON.stringify(b.key)}: posts ${b.posts.slice(0, 5).join(' ') || '-'} / users ${b.users.slice(0, 5).join(' ') || '-'}`));
  ex('(c) examples', r.archiveOnly.examples.map((o) => JSON.stringify(o.key)));
  ex('(d) examples', r.mismatches.examples.map((x) => `${JSON.stringify(x.key)}: object ${x.object}, rows ${x.rows}`));
  const d = r.deletion;
  if (d) {
    lines.push('', d.dryRun
      ? `dry run: would delete ${fmt(d.planned)} objects (${mib(d.plannedBytes)}), listed in ${d.log}; add --yes to delete them`
      : `deleted ${fmt(d.deleted)} of ${fmt(d.planned)} objects (${fmt(d.skipped)} kept: named since the listing, ${fmt(d.failed)} failed); plan ${d.log}, results ${d.log}.result`);
  }
  return lines.join('\n');
}

interface Cli { json: boolean; opts: AuditOptions }

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Cli {
  const opts: AuditOptions = { graceMs: parseGraceMs(textSetting('AUDIT_GRACE', env)), schema: textSetting('AUDIT_SCHEMA', env) };
  let json = false;
  for (const a of argv) {
    const [flag, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--json') json = true;
    else if (flag === '--content-types') opts.contentTypes = true;
    else if (flag === '--delete-orphans') opts.deleteOrphans = true;
    else if (flag === '--yes') opts.yes = true;
    else if (flag === '--grace' && value) opts.graceMs = parseGraceMs(value);
    else if (flag === '--prefix' && value !== undefined) opts.prefix = value;
    else if (flag === '--log' && value) opts.logPath = path.resolve(value);
    else if (flag === '--schema' && value) opts.schema = value;
    else if (flag === '--examples' && value && /^\d+$/.test(value)) opts.examples = Number(value);
    else throw new AuditInputError(`unknown argument ${JSON.stringify(a)} (see README: --json, --grace=, --prefix=, --content-types, --delete-orphans, --yes, --log=, --schema=, --examples=)`);
  }
  if (opts.yes && !opts.deleteOrphans) throw new AuditInputError('--yes only confirms --delete-orphans; nothing to confirm');
  // An upload's row comes before its object is complete, and multipart uploads take a while: a
  // grace period under an hour would delete uploads in flight.
  if (opts.deleteOrphans && opts.yes && opts.graceMs < 3_600_000) throw new AuditInputError('refusing to delete with a grace period under 1 hour (AUDIT_GRACE): uploads in flight would go');
  return { json, opts };
}

/** One redrawn line on a TTY; otherwise a line every 5 s, and always the last. */
function progressLine(env: NodeJS.ProcessEnv): (n: number, ms: number, done?: boolean) => void {
  const tty = Boolean(process.stderr.isTTY) && !isCi(env);
  let last = 0;
  return (n, ms, done) => {
    const line = `storage-audit: listed ${fmt(n)} objects in ${(ms / 1000).toFixed(1)} s, ${fmt(Math.round(n / Math.max(ms / 1000, 0.001)))}/s`;
    if (tty) process.stderr.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
    else if (done || ms - last >= 5000) { last = ms; process.stderr.write(line + '\n'); }
  };
}

/** Database errors that mean the wrong URL, server or database: exit 2 like the S3 ones. */
const INPUT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '28P01', '28000', '3D000', '42P01', '3F000']);

/** The CLI: returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let store: ObjectStore | undefined;
  let cfg: ReturnType<typeof objectStoreConfig> | undefined;
  let db: pg.Client | undefined;
  try {
    const { json, opts } = parseArgs(argv, env);
    const url = textSetting('DATABASE_URL', env);
    if (!url) throw new AuditInputError('DATABASE_URL is not set (the app database to compare the bucket with)');
    cfg = objectStoreConfig(env);
    store = createObjectStore(cfg);
    db = new pg.Client({ connectionString: url, application_name: 'storage-audit' });
    await db.connect();
    const rep = await runAudit(db, store, { ...opts, onProgress: json ? undefined : progressLine(env) });
    process.stdout.write((json ? JSON.stringify(rep, null, 2) : formatReport(rep)) + '\n');
    return rep.exitCode;
  } catch (e) {
    const s3 = cfg ? describeS3Error(e, cfg) : undefined;
    const input = e instanceof BadInput || e instanceof ObjectStoreConfigError || s3 !== undefined || INPUT_CODES.has((e as { code?: string }).code ?? '');
    process.stderr.write(`storage-audit: ${s3 ?? (e instanceof Error && !(e as { code?: string }).code ? e.message : describeError(e))}\n`);
    return input ? 2 : 1;
  } finally {
    await db?.end().catch(() => {});
    store?.client.destroy();
  }
}
