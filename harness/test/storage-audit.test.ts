// Issue 10, items 2, 4 and 5: the seeder plants every case in a real bucket (the local S3 server),
// and `make storage-audit` finds each with the exact count the seeder planted, before and after
// the pack; the delete path deletes (a) only; bad input exits 2 with one line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../app/storage.ts';
import { seed } from '../../lib/seed/seed.ts';
import { putWriter, seedObjects, objectSeedOptionsFromEnv, type ObjectSeedSummary } from '../../lib/seed/objects.ts';
import { compareKeys, runAudit, type AuditReport } from '../../lib/storage-audit.ts';
import { startS3 } from '../../lib/s3.ts';
import { startBucketCheck } from '../bucket-check.ts';
import { migrate } from '../../lib/migrate.ts';
import { ROOT } from '../../lib/sql.ts';
import { baselineDb, connect, emptyDb } from './db.ts';
import { freshBucket } from './s3.ts';

const GRACE = 7 * 86_400_000;

interface Seeded { url: string; store: ObjectStore; env: Record<string, string>; planted: ObjectSeedSummary }

async function seeded(prefix: string): Promise<Seeded> {
  const url = await baselineDb();
  const { s3, bucket, store } = await freshBucket(prefix);
  const c = await connect(url);
  try {
    await seed(c, { posts: 150 });
    const opts = objectSeedOptionsFromEnv({ SEED_OBJECTS: '1', SEED_OBJ_MAX_BYTES: '4096' })!;
    const planted = await seedObjects(c, (objects) => s3.preload(bucket, objects), opts);
    return { url, store, env: { DATABASE_URL: url, ...s3.env(bucket) }, planted };
  } finally {
    await c.end();
  }
}

async function audit(s: Seeded, opts: Partial<Parameters<typeof runAudit>[2]> = {}): Promise<AuditReport> {
  const c = await connect(s.url);
  try {
    return await runAudit(c, s.store, { graceMs: GRACE, contentTypes: true, ...opts });
  } finally {
    await c.end();
  }
}

async function listKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, ContinuationToken: token }));
    for (const o of r.Contents ?? []) keys.push(o.Key!);
    token = r.NextContinuationToken;
  } while (token);
  return keys;
}

interface Run { code: number | null; stdout: string; stderr: string }

function auditCli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['harness/storage-audit.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: undefined, S3_ENDPOINT: undefined, S3_BUCKET: undefined, S3_ACCESS_KEY_ID: undefined, S3_SECRET_ACCESS_KEY: undefined, AUDIT_GRACE: undefined, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function expectCounts(r: AuditReport, p: ObjectSeedSummary) {
  expect({ a: r.orphans.count, aBytes: r.orphans.bytes, recent: r.recentOrphans.count }).toEqual({ a: p.orphansOld.count, aBytes: p.orphansOld.bytes, recent: p.orphansNew });
  const m = r.missing;
  expect({ posts: m.posts, users: m.users, unreferenced: m.unreferenced, showingPosts: m.showingPosts, showingUsers: m.showingUsers }).toEqual(p.missing);
  expect(m.pending).toBe(0);
  expect(r.archiveOnly.count).toBe(p.archived);
  expect({ size: r.mismatches.size, type: r.mismatches.contentType }).toEqual({ size: p.sizeMismatch, type: p.typeMismatch });
  expect(r.listed.objects).toBe(p.objects);
}

describe('key order', () => {
  it('compareKeys is UTF-8 byte order (S3 and COLLATE "C"), surrogates and U+E000..U+FFFF included', () => {
    const chars = [0x20, 0x25, 0x2b, 0x2d, 0x2f, 0x41, 0xe9, 0x301, 0xd7ff, 0xe000, 0xffff, 0x10000, 0x1f5bc];
    const keys: string[] = [];
    for (const a of chars) for (const b of chars) keys.push('k' + String.fromCodePoint(a) + String.fromCodePoint(b), String.fromCodePoint(a));
    const bytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(bytes);
    expect([...keys].sort()).not.toEqual(bytes); // JS's own order (UTF-16 units) is not S3's
  });
});

describe('the audit finds every planted case with its exact count', () => {
  let s: Seeded;
  beforeAll(async () => {
    s = await seeded('audit');
  });

  it('seeds plant every case at least once', () => {
    const p = s.planted;
    for (const n of [p.orphansOld.count, p.orphansNew, p.missing.posts, p.missing.users, p.missing.unreferenced, p.archived, p.sizeMismatch, p.typeMismatch, p.zeroByte]) expect(n).toBeGreaterThan(0);
    expect(p.awkwardKeys.length).toBeGreaterThanOrEqual(7);
  });

  it('on the baseline schema (old key columns): a, b by posts/users/unreferenced, c, d', async () => {
    const r = await audit(s);
    expectCounts(r, s.planted);
    expect(r.archiveOnly.bySource['posts_image_key_archive'] ?? 0).toBe(0);
    // the awkward keys have rows and objects: a correct join matches every one
    for (const k of s.planted.awkwardKeys) expect(r.missing.rows.map((b) => b.key)).not.toContain(k);
    expect(r.exitCode).toBe(1);
    const broken = r.missing.rows.find((b) => b.posts.length > 0)!;
    const c = await connect(s.url);
    try {
      const shown = (await c.query(`SELECT id FROM posts WHERE image_key = $1 ORDER BY id`, [broken.key])).rows.map((x) => x.id);
      expect([...broken.posts].sort()).toEqual(shown);
    } finally {
      await c.end();
    }
  });

  it('after the whole pack (image_id, archive tables): the same counts; (c) now comes from the archives', async () => {
    await migrate(s.url, { direction: 'up', log: () => {} });
    const r = await audit(s);
    expectCounts(r, s.planted);
    expect((r.archiveOnly.bySource['posts_image_key_archive'] ?? 0) + (r.archiveOnly.bySource['user_image_archive'] ?? 0)).toBe(s.planted.archived);
    expect(r.archiveOnly.bySource['posts.image_key']).toBeUndefined();
  });

  it('a grace period longer than every orphan makes them all recent: nothing is deletable', async () => {
    const r = await audit(s, { graceMs: 10 * 365 * 86_400_000, contentTypes: false });
    expect(r.orphans.count).toBe(0);
    expect(r.recentOrphans.count).toBe(s.planted.orphansOld.count + s.planted.orphansNew);
    expect(r.mismatches.contentTypesChecked).toBe(false);
  });

  it('the CLI prints the table, or JSON with --json, and exits 1 on broken links', async () => {
    const table = await auditCli([], s.env);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/\(a\) orphaned objects\s+1\b|\(a\) orphaned objects\s+\d/);
    expect(table.stdout).toContain('(b) missing, posts');
    expect(table.stderr).toMatch(new RegExp(`^storage-audit: listed ${s.planted.objects.toLocaleString('en-US')} objects in [\\d.]+ s`, 'm'));
    const json = await auditCli(['--json'], s.env);
    expect(json.code).toBe(1);
    const r = JSON.parse(json.stdout) as AuditReport;
    expect(r.orphans.count).toBe(s.planted.orphansOld.count);
    expect(r.missing.showingPosts).toBe(s.planted.missing.showingPosts);
  });
});

describe('seeding through the S3 API (PUT) instead of the local store', () => {
  it('the same cases, byte counts and types; orphans are all recent, since a PUT cannot backdate them', async () => {
    const url = await baselineDb();
    const { store } = await freshBucket('put');
    const c = await connect(url);
    let planted: ObjectSeedSummary;
    try {
      await seed(c, { posts: 100 });
      planted = await seedObjects(c, putWriter(store), objectSeedOptionsFromEnv({ SEED_OBJECTS: '1', SEED_OBJ_MAX_BYTES: '2048' })!);
    } finally {
      await c.end();
    }
    const r = await audit({ url, store, env: {}, planted });
    expect(r.listed.objects).toBe(planted.objects);
    expect(r.listed.bytes).toBe(planted.bytes);
    expect([r.orphans.count, r.recentOrphans.count]).toEqual([0, planted.orphansOld.count + planted.orphansNew]);
    expect({ posts: r.missing.posts, users: r.missing.users, unreferenced: r.missing.unreferenced }).toEqual({ posts: planted.missing.posts, users: planted.missing.users, unreferenced: planted.missing.unreferenced });
    expect([r.archiveOnly.count, r.mismatches.size, r.mismatches.contentType]).toEqual([planted.archived, planted.sizeMismatch, planted.typeMismatch]);
  });
});

describe('--delete-orphans', () => {
  let s: Seeded;
  beforeAll(async () => {
    s = await seeded('del');
  });
  const tmpLog = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'audit-')), 'plan.log');

  it('dry run by default: writes the plan, deletes nothing', async () => {
    const before = await listKeys(s.store);
    const log = tmpLog();
    const r = await auditCli(['--delete-orphans', `--log=${log}`, '--json'], s.env);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as AuditReport;
    expect(rep.deletion).toMatchObject({ dryRun: true, planned: s.planted.orphansOld.count, deleted: 0 });
    const planned = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(planned.sort()).toEqual(rep.orphans.examples.map((e) => e.key).sort());
    expect(await listKeys(s.store)).toEqual(before);
  });

  it('refuses --yes alone, a grace period under an hour, and an unwritable log, deleting nothing', async () => {
    const before = await listKeys(s.store);
    const [alone, short, nolog] = await Promise.all([
      auditCli(['--yes'], s.env),
      auditCli(['--delete-orphans', '--yes'], { ...s.env, AUDIT_GRACE: '30 minutes' }),
      auditCli(['--delete-orphans', '--yes', '--log=/etc/hostname/plan.log'], s.env),
    ]);
    expect([alone.code, alone.stderr.trim()]).toEqual([2, 'storage-audit: --yes only confirms --delete-orphans; nothing to confirm']);
    expect([short.code, short.stderr.trim().split('\n')]).toEqual([2, [expect.stringMatching(/grace period under 1 hour/)]]);
    expect([nolog.code, nolog.stderr.trim().split('\n')]).toEqual([2, [expect.stringMatching(/cannot write the delete log/)]]);
    expect(await listKeys(s.store)).toEqual(before);
  });

  it('keeps a planned key that gained a storage row after the listing', async () => {
    const c = await connect(s.url);
    try {
      let victim = '';
      const r = await runAudit(c, s.store, {
        graceMs: GRACE, deleteOrphans: true, yes: true, logPath: tmpLog(),
        beforeDelete: async (log) => {
          victim = JSON.parse(fs.readFileSync(log, 'utf8').split('\n')[0]) as string;
          const w = await connect(s.url);
          await w.query(`INSERT INTO storage (id, file_key, file_name, content_type, size) VALUES ('raceRow', $1, 'x.jpg', 'image/jpeg', 1)`, [victim]);
          await w.end();
        },
      });
      expect(r.deletion).toMatchObject({ planned: s.planted.orphansOld.count, skipped: 1, deleted: s.planted.orphansOld.count - 1 });
      expect(await listKeys(s.store)).toContain(victim);
      await c.query(`DELETE FROM storage WHERE id = 'raceRow'`);
    } finally {
      await c.end();
    }
  });

  it('--yes deletes exactly (a), logged first; (b), (c), (d) and recent objects stay; a rerun deletes nothing', async () => {
    const first = await audit(s, { contentTypes: false });
    expect(first.orphans.count).toBe(1); // the one the previous test kept
    const before = await listKeys(s.store);
    const log = tmpLog();
    const r = await audit(s, { contentTypes: false, deleteOrphans: true, yes: true, logPath: log });
    expect(r.deletion).toMatchObject({ dryRun: false, planned: 1, deleted: 1, failed: 0 });
    const planned = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string);
    expect(await listKeys(s.store)).toEqual(before.filter((k) => !planned.includes(k)));
    expect(fs.readFileSync(log + '.result', 'utf8').trim().split('\n')).toEqual([`deleted ${JSON.stringify(planned[0])}`]);
    const again = await audit(s, { contentTypes: false, deleteOrphans: true, yes: true, logPath: log + '2' });
    expect(again.deletion).toMatchObject({ planned: 0, deleted: 0 });
    expect(again.listed.objects).toBe(s.planted.objects - s.planted.orphansOld.count);
    expect(again.archiveOnly.count).toBe(s.planted.archived);
    expect(again.recentOrphans.count).toBe(s.planted.orphansNew);
    expect(again.mismatches.size).toBe(s.planted.sizeMismatch);
    expect(again.missing.rows.length).toBe(first.missing.rows.length);
  });
});

describe('bad input exits 2 with one line', () => {
  const oneLine = (r: Run, re: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(re)]);
    expect(r.stdout).toBe('');
  };

  it('no such bucket, an unreachable endpoint, missing settings, not the app database', async () => {
    const { s3 } = await freshBucket('exists');
    const url = await baselineDb();
    const runs = await Promise.all([
      auditCli([], { DATABASE_URL: url, ...s3.env('no-such-bucket') }),
      auditCli([], { DATABASE_URL: url, ...s3.env('x'), S3_ENDPOINT: 'http://127.0.0.1:9' }),
      auditCli([], { DATABASE_URL: url }),
      auditCli([], { ...s3.env('x') }),
      auditCli([], { DATABASE_URL: await emptyDb(), ...s3.env('x') }),
      auditCli(['--grace=soon'], { DATABASE_URL: url, ...s3.env('x') }),
    ]);
    oneLine(runs[0], /^storage-audit: bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+/);
    oneLine(runs[1], /^storage-audit: cannot reach the object store at http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
    oneLine(runs[2], /^storage-audit: S3_BUCKET is not set/);
    oneLine(runs[3], /^storage-audit: DATABASE_URL is not set/);
    oneLine(runs[4], /^storage-audit: no storage table in schema public/);
    oneLine(runs[5], /AUDIT_GRACE must look like/);
  });

  it('bad credentials: an unknown key and a wrong secret (moto in its signature-checking mode)', async () => {
    const strict = await startS3({ auth: true });
    try {
      await strict.createBucket('strict');
      const url = await baselineDb();
      const [good, unknown, wrong] = await Promise.all([
        auditCli([], { DATABASE_URL: url, ...strict.env('strict') }),
        auditCli([], { DATABASE_URL: url, ...strict.env('strict'), S3_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000' }),
        auditCli([], { DATABASE_URL: url, ...strict.env('strict'), S3_SECRET_ACCESS_KEY: 'wrong' }),
      ]);
      expect(good.code).toBe(0); // empty bucket, empty database: clean
      expect(good.stderr).toMatch(/^storage-audit: listed 0 objects in/);
      oneLine(unknown, /refused the credentials \(InvalidAccessKeyId\)/);
      oneLine(wrong, /refused the credentials \(SignatureDoesNotMatch\)/);
    } finally {
      await strict.stop();
    }
  });
});


describe("make verify's bucket check (item 5)", () => {
  it('counts the posts and users showing a missing object as planted; the pack leaves the count alone; a lost object moves it', async () => {
    const url = await baselineDb();
    const c = await connect(url);
    try {
      await seed(c, { posts: 150 });
    } finally {
      await c.end();
    }
    const check = await startBucketCheck(url, objectSeedOptionsFromEnv({ SEED_OBJECTS: '1' })!);
    try {
      const before = await check.count();
      expect(before).toEqual({ posts: check.summary.missing.showingPosts, users: check.summary.missing.showingUsers });
      expect(before.posts).toBeGreaterThan(0);
      await migrate(url, { direction: 'up', log: () => {} });
      expect(await check.count()).toEqual(before);
      // Control: lose the object of one more post's image, and the count must see it.
      const w = await connect(url);
      const { rows } = await w.query(`SELECT s.file_key FROM posts p JOIN storage s ON s.id = p.image_id
        WHERE NOT EXISTS (SELECT 1 FROM posts q WHERE q.image_id = p.image_id AND q.id <> p.id)
          AND NOT EXISTS (SELECT 1 FROM "user" u WHERE u.image_id = p.image_id)
          AND (SELECT count(*) FROM storage k WHERE k.file_key = s.file_key) = 1 ORDER BY p.id`);
      await w.end();
      const listed = new Set(await listKeys(check.store));
      const victim = rows.map((r) => r.file_key as string).find((k) => listed.has(k))!;
      await check.store.client.send(new DeleteObjectCommand({ Bucket: check.store.bucket, Key: victim }));
      expect(await check.count()).toEqual({ posts: before.posts + 1, users: before.users });
    } finally {
      await check.stop();
    }
  });
});
