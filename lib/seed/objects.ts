// Fills a bucket for the storage rows of a seeded (baseline-schema) database, and plants the
// cases an audit of a real R2 bucket meets: orphans on both sides of the grace period, rows whose
// object is gone (referenced by posts, by users, and by nothing), objects that only the old key
// columns (and, after the contract, the archive tables) name, keys that encode awkwardly, keys
// over 1,000 bytes, zero-byte objects, and size or content-type mismatches. See seeds/README.md.
//
// Choices are deterministic: each candidate key is ranked by a hash of (seed, purpose, key), and
// the first n win. Timestamps of orphans come from the wall clock (`now`), because the audit's
// grace period is measured against it.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../app/storage.ts';
import type { PreloadObject } from '../s3.ts';
import { flagSetting, intSetting, parseFraction, parseGraceMs, textSetting, type Env } from '../settings.ts';

export interface ObjectSeedFractions {
  /** objects with no row, as a fraction of the storage keys; half older than the grace period */
  orphans: number;
  /** of each class of single-row keys (referenced by posts, by users, by nothing): no object */
  missing: number;
  /** of the key-shaped old-column values that have no storage row: they get an object */
  archived: number;
  /** of the remaining keys: object one byte off, and (as many again) another content type */
  mismatch: number;
}

export interface ObjectSeedOptions {
  seed: number;
  /** share of the storage keys that get their object (SEED_OBJECTS); the rest count as missing */
  fill: number;
  fractions: ObjectSeedFractions;
  /** the audit's grace period, ms: old orphans are older than it, new ones younger */
  graceMs: number;
  /** wall clock, ms */
  now: number;
  /** add the awkward keys and zero-byte objects (new, unreferenced storage rows) */
  awkward: boolean;
  /**
   * SEED_OBJ_MAX_BYTES: first lowers storage.size to at most this, so the bucket stays small
   * (tests, benchmarks); objects still match their rows byte for byte. Unset: real sizes.
   */
  maxBytes?: number;
}

export const DEFAULT_OBJECT_FRACTIONS: Readonly<ObjectSeedFractions> = Object.freeze({ orphans: 0.02, missing: 0.02, archived: 0.5, mismatch: 0.01 });
const DAY = 86_400_000;

export function objectSeedOptionsFromEnv(env: Env = process.env): ObjectSeedOptions | undefined {
  const raw = textSetting('SEED_OBJECTS', env);
  if (raw === '' || raw === '0') return undefined;
  const frac = (name: string, dflt: number) => (env[name]?.trim() ? parseFraction(name, env[name]!) : dflt);
  const fill = parseFraction('SEED_OBJECTS', raw);
  return {
    seed: intSetting('SEED', env),
    fill: fill === 0 ? 1 : fill,
    fractions: {
      orphans: frac('SEED_OBJ_FRAC_ORPHANS', DEFAULT_OBJECT_FRACTIONS.orphans),
      missing: frac('SEED_OBJ_FRAC_MISSING', DEFAULT_OBJECT_FRACTIONS.missing),
      archived: frac('SEED_OBJ_FRAC_ARCHIVED', DEFAULT_OBJECT_FRACTIONS.archived),
      mismatch: frac('SEED_OBJ_FRAC_MISMATCH', DEFAULT_OBJECT_FRACTIONS.mismatch),
    },
    graceMs: parseGraceMs(textSetting('AUDIT_GRACE', env)),
    now: Date.now(),
    awkward: flagSetting('SEED_OBJ_AWKWARD', env),
    maxBytes: intSetting('SEED_OBJ_MAX_BYTES', env) || undefined,
  };
}

/** What was planted, as the audit must find it. */
export interface ObjectSeedSummary {
  objects: number;
  bytes: number;
  /** (a) objects with no name anywhere, older than the grace period */
  orphansOld: { count: number; bytes: number };
  /** objects with no name anywhere, younger than the grace period (not deletable yet) */
  orphansNew: number;
  /** (b) storage rows with no object, by what references them, and the posts and users showing one */
  missing: { posts: number; users: number; unreferenced: number; showingPosts: number; showingUsers: number };
  /** (c) objects named only by old key columns (after the contract: the archive tables) */
  archived: number;
  /** (d) objects whose size, or content type, differs from the row */
  sizeMismatch: number;
  typeMismatch: number;
  awkwardKeys: string[];
  zeroByte: number;
}

interface KeyRow {
  key: string;
  rows: number;
  size: string;
  content_type: string;
  created_at: Date;
  posts: number;
  users: number;
  /** distinct sizes and content types among the key's rows: above 1, the rows disagree */
  nsizes: number;
  ntypes: number;
}

const rank = (seed: number, purpose: string, key: string) => createHash('sha1').update(`${seed}\0${purpose}\0${key}`).digest().readUInt32BE(0);

/** The first n candidates by hash rank: the same choice whatever order they came in. */
function pick<T>(items: T[], n: number, seed: number, purpose: string, keyOf: (t: T) => string): T[] {
  return items
    .map((t) => [rank(seed, purpose, keyOf(t)), t] as const)
    .sort((a, b) => a[0] - b[0] || (keyOf(a[1]) < keyOf(b[1]) ? -1 : 1))
    .slice(0, n)
    .map(([, t]) => t);
}

const atLeastOne = (frac: number, n: number) => (frac <= 0 || n === 0 ? 0 : Math.min(n, Math.max(1, Math.round(frac * n))));

/** Keys that encode differently in a path, a query string, a form and a signature. */
export function awkwardKeys(orgId: string): string[] {
  const p = `org/${orgId}/posts/`;
  return [
    `${p}holiday photo 1.jpg`,
    `${p}caf\u00e9 cr\u00e8me.jpg`, // NFC
    `${p}cafe\u0301 cre\u0300me.jpg`, // NFD: the same name, other bytes, another object
    `${p}a+b=c&d.png`,
    `${p}100% real.png`,
    `${p}already%20encoded.png`,
    `${p}\u65e5\u672c\u8a9e \u{1f5bc}.webp`,
    (p + 'long-name-'.repeat(110)).slice(0, 1006) + '.jpg', // 1,010 bytes; S3 and R2 allow 1,024
  ];
}

async function insertExtraRows(client: pg.Client, o: ObjectSeedOptions): Promise<{ awkward: string[]; zero: string[] }> {
  const { rows } = await client.query<{ org: string; user_id: string }>(
    `SELECT m.organization_id AS org, m.user_id FROM member m ORDER BY m.organization_id, m.user_id LIMIT 1`,
  );
  if (rows.length === 0) return { awkward: [], zero: [] };
  const { org, user_id } = rows[0];
  const awkward = awkwardKeys(org);
  const zero = [0, 1].map((i) => `org/${org}/posts/empty-${i}.png`);
  const all = [...awkward, ...zero];
  const ids = all.map((k) => createHash('sha1').update(`${o.seed}\0row\0${k}`).digest('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 32).padEnd(32, '0'));
  const sizes = all.map((k, i) => (i < awkward.length ? Math.min(1000 + (rank(o.seed, 'size', k) % 50_000), o.maxBytes ?? Infinity) : 0));
  const types = all.map((k) => (k.endsWith('.png') ? 'image/png' : k.endsWith('.webp') ? 'image/webp' : 'image/jpeg'));
  await client.query(
    `INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id, created_at)
     SELECT id, k, regexp_replace(k, '^.*/', ''), t, s, $5, $6, now() - interval '30 days'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS x(id, k, t, s)`,
    [ids, all, types, sizes, user_id, org],
  );
  return { awkward, zero };
}

// Storage keys with what references them on the baseline schema (posts by key in the row's
// organization, users by key in any), one row per distinct key. Hash joins: nothing indexes
// storage.file_key or posts.image_key on the baseline.
const KEYS_SQL = `
SELECT s.file_key AS key, count(*)::int AS rows, max(s.size)::text AS size, min(s.content_type) AS content_type,
       min(s.created_at) AS created_at, coalesce(sum(pk.n), 0)::int AS posts, coalesce(max(uk.n), 0)::int AS users,
       count(DISTINCT s.size)::int AS nsizes, count(DISTINCT s.content_type)::int AS ntypes
  FROM storage s
  LEFT JOIN (SELECT organization_id, image_key, count(*) AS n FROM posts WHERE image_key IS NOT NULL GROUP BY 1, 2) pk
         ON pk.image_key = s.file_key AND pk.organization_id = s.organization_id
  LEFT JOIN (SELECT image, count(*) AS n FROM "user" WHERE image IS NOT NULL GROUP BY 1) uk ON uk.image = s.file_key
 GROUP BY s.file_key`;

// Old-column values shaped like keys of this app with no storage row at all: after the contract
// only the archive tables name them.
const UNMAPPED_SQL = `
SELECT v AS key FROM (
  SELECT image_key AS v FROM posts WHERE image_key IS NOT NULL
  UNION SELECT image FROM "user" WHERE image IS NOT NULL) x
 WHERE v ~ '^(org|users)/' AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.file_key = x.v)`;

/** n objects that no row names, under org/orphaned/posts/: even ones older than the grace period. */
function orphanObjects(o: ObjectSeedOptions, n: number): PreloadObject[] {
  return Array.from({ length: n }, (_, i) => {
    const h = rank(o.seed, 'orphan', String(i));
    const name = ['', ' copy', '+1', ' (1) e\u0301'][i % 4]; // the last one in NFD
    const old = i % 2 === 0;
    return {
      key: `org/orphaned/posts/${h.toString(16).padStart(8, '0')}-${i}${name}.jpg`,
      size: Math.min(100 + (h % 100_000), o.maxBytes ?? Infinity),
      contentType: 'image/jpeg',
      lastModified: old ? o.now - o.graceMs - DAY - (h % (90 * DAY)) : o.now - Math.min(o.graceMs / 2, 3_600_000),
    };
  });
}

/** Plants rows and objects (see the file comment); `write` puts the objects in the bucket. */
export async function seedObjects(
  client: pg.Client,
  write: (objects: AsyncIterable<PreloadObject>) => Promise<number>,
  o: ObjectSeedOptions,
): Promise<ObjectSeedSummary> {
  if (o.maxBytes !== undefined) await client.query('UPDATE storage SET size = $1 WHERE size > $1', [o.maxBytes]);
  const extra = o.awkward ? await insertExtraRows(client, o) : { awkward: [], zero: [] };
  const special = new Set([...extra.awkward, ...extra.zero]);
  const keys = (await client.query<KeyRow>(KEYS_SQL)).rows;
  const unmapped = (await client.query<{ key: string }>(UNMAPPED_SQL)).rows.map((r) => r.key);

  // (b): only single-row keys with one kind of reference, so the counts are the same before and
  // after the pack (a duplicate's losing rows stop being referenced once image_id picks one).
  const single = keys.filter((k) => k.rows === 1 && !special.has(k.key));
  const classes = {
    posts: single.filter((k) => k.posts > 0 && k.users === 0),
    users: single.filter((k) => k.users > 0 && k.posts === 0),
    unreferenced: single.filter((k) => k.posts === 0 && k.users === 0),
  };
  const missing = new Set<string>();
  const summaryMissing = { posts: 0, users: 0, unreferenced: 0, showingPosts: 0, showingUsers: 0 };
  for (const [cls, list] of Object.entries(classes) as [keyof typeof classes, KeyRow[]][]) {
    const n = atLeastOne(o.fractions.missing, list.length) + Math.round((1 - o.fill) * list.length);
    for (const k of pick(list, Math.min(n, list.length), o.seed, 'missing', (x) => x.key)) {
      missing.add(k.key);
      summaryMissing[cls]++;
      summaryMissing.showingPosts += k.posts;
      summaryMissing.showingUsers += k.users;
    }
  }
  // Duplicate rows of a key that already disagree on size or type (a decoy copy in another
  // organization, say) are mismatches as they are: counted, not planted.
  const present = keys.filter((k) => !missing.has(k.key));
  const alreadySize = present.filter((k) => k.nsizes > 1).length;
  const alreadyType = present.filter((k) => k.ntypes > 1).length;
  const rest = present.filter((k) => !special.has(k.key) && k.nsizes === 1 && k.ntypes === 1);
  const mismatched = pick(rest, 2 * atLeastOne(o.fractions.mismatch, Math.floor(rest.length / 2)), o.seed, 'mismatch', (x) => x.key);
  const sizeOff = new Set(mismatched.filter((_, i) => i % 2 === 0).map((k) => k.key));
  const typeOff = new Set(mismatched.filter((_, i) => i % 2 === 1).map((k) => k.key));
  const archived = pick(unmapped, atLeastOne(o.fractions.archived, unmapped.length), o.seed, 'archived', (k) => k);

  const orphans = orphanObjects(o, atLeastOne(o.fractions.orphans, keys.length));

  let bytes = 0;
  let objects = 0;
  async function* all(): AsyncGenerator<PreloadObject> {
    for (const k of keys) {
      if (missing.has(k.key)) continue;
      const size = Number(k.size) + (sizeOff.has(k.key) ? 1 : 0);
      bytes += size;
      objects++;
      yield { key: k.key, size, contentType: typeOff.has(k.key) ? 'application/octet-stream' : k.content_type, lastModified: k.created_at.getTime() };
    }
    for (const key of archived) {
      bytes += Math.min(2048, o.maxBytes ?? 2048);
      objects++;
      yield { key, size: Math.min(2048, o.maxBytes ?? 2048), contentType: 'image/jpeg', lastModified: o.now - 400 * DAY };
    }
    for (const x of orphans) {
      bytes += x.size;
      objects++;
      yield x;
    }
  }
  await write(all());
  const oldOrphans = orphans.filter((_, i) => i % 2 === 0);
  return {
    objects,
    bytes,
    orphansOld: { count: oldOrphans.length, bytes: oldOrphans.reduce((s, x) => s + x.size, 0) },
    orphansNew: orphans.length - oldOrphans.length,
    missing: summaryMissing,
    archived: archived.length,
    sizeMismatch: sizeOff.size + alreadySize,
    typeMismatch: typeOff.size + alreadyType,
    awkwardKeys: extra.awkward,
    zeroByte: extra.zero.length,
  };
}

/**
 * A writer for seedObjects() that PUTs through the S3 API, 16 at a time: for any S3-compatible
 * bucket. A PUT cannot backdate LastModified, so every planted orphan is recent there.
 */
export function putWriter(store: ObjectStore, concurrency = 16): (objects: AsyncIterable<PreloadObject>) => Promise<number> {
  return async (objects) => {
    let n = 0;
    const inflight = new Set<Promise<void>>();
    for await (const o of objects) {
      const p: Promise<void> = store.client
        .send(new PutObjectCommand({ Bucket: store.bucket, Key: o.key, Body: Buffer.alloc(o.size), ContentType: o.contentType, ContentLength: o.size }))
        .then(() => { n++; })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= concurrency) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    return n;
  };
}

/**
 * The seed CLI's SEED_OBJECTS=…: a throwaway bucket on the local S3 server (lib/s3.ts),
 * filled, summarised, and with `check` audited and compared with what was planted.
 */
export async function seedLocalBucket(client: pg.Client, o: ObjectSeedOptions, check: boolean): Promise<{ text: string; failures: string[] }> {
  const { startS3 } = await import('../s3.ts');
  const { runAudit } = await import('../storage-audit.ts');
  const s3 = await startS3();
  try {
    const store = await s3.createBucket('imgref-seed');
    const t0 = performance.now();
    const p = await seedObjects(client, (objects) => s3.preload('imgref-seed', objects), o);
    const rows: Array<[string, number]> = [
      ['objects', p.objects], ['bytes', p.bytes], ['(a) orphans older than the grace period', p.orphansOld.count], ['    orphans younger', p.orphansNew],
      ['(b) missing, rows posts show', p.missing.posts], ['(b) missing, rows users show', p.missing.users], ['(b) missing, unreferenced rows', p.missing.unreferenced],
      ['(c) named only by old columns / archives', p.archived], ['(d) size mismatches', p.sizeMismatch], ['(d) content-type mismatches', p.typeMismatch],
      ['awkward keys', p.awkwardKeys.length], ['zero-byte objects', p.zeroByte],
    ];
    const failures: string[] = [];
    if (check) {
      const r = await runAudit(client, store, { graceMs: o.graceMs, contentTypes: true });
      const pairs: Array<[string, number, number]> = [
        ['(a)', r.orphans.count, p.orphansOld.count], ['recent', r.recentOrphans.count, p.orphansNew], ['(b) posts', r.missing.posts, p.missing.posts],
        ['(b) users', r.missing.users, p.missing.users], ['(b) unreferenced', r.missing.unreferenced, p.missing.unreferenced], ['(c)', r.archiveOnly.count, p.archived],
        ['(d) size', r.mismatches.size, p.sizeMismatch], ['(d) type', r.mismatches.contentType, p.typeMismatch],
      ];
      for (const [name, got, want] of pairs) if (got !== want) failures.push(`bucket ${name}: the audit found ${got}, the seeder planted ${want}`);
    }
    const w = Math.max(...rows.map(([k]) => k.length));
    const text = [`bucket (local S3 server, ${Math.round(performance.now() - t0)} ms)`, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v.toLocaleString('en-US')}`)].join('\n');
    return { text, failures };
  } finally {
    await s3.stop();
  }
}
