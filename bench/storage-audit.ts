// make bench-storage-audit: how fast the bucket audit runs and how its memory grows with the bucket.
//   server:    the local S3 server (moto) holds N objects; the audit lists them over HTTP, as in
//              production. AUDIT_BENCH_SIZES (default 10000,100000).
//   synthetic: the same audit code, with ListObjectsV2 answered in-process from a generator
//              (no HTTP, no XML): the audit's own cost, where the local server cannot reach.
//              AUDIT_BENCH_SYNTHETIC (default 100000,1000000).
// Each bucket: N objects whose storage rows exist, plus 1 % orphans (old) and 1 % rows without an
// object. Peak heap is sampled every 20 ms (run under --expose-gc for a clean baseline). Run it
// under --max-old-space-size=32 to show the audit fits a fixed heap (heapLimitMiB in the JSON).
// Writes bench/results/storage-audit-<timestamp>.json.
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import path from 'node:path';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../app/storage.ts';
import { startS3, type PreloadObject } from '../lib/s3.ts';
import { runAudit, type AuditReport } from '../lib/storage-audit.ts';
import { withClient } from '../lib/db.ts';
import { ROOT } from '../lib/sql.ts';
import { startServer, loadBaseline, type Server } from '../lib/target.ts';
import { sizesSetting } from '../lib/settings.ts';

const DAY = 86_400_000;
const pad = (i: number) => String(i).padStart(9, '0');
/** Keys in byte order by construction: org/<org>/posts/<i>.jpg, both zero-padded. */
const keyOf = (i: number) => `org/o${pad(Math.floor(i / 10_000))}/posts/${pad(i)}.jpg`;
const sizeOf = (i: number) => 100 + (i % 900);
/** every 100th index is an orphan (object, no row); every 100th from 50 a row with no object */
const isOrphan = (i: number) => i % 100 === 0;
const isMissing = (i: number) => i % 100 === 50;

async function fillDatabase(url: string, n: number): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`INSERT INTO organization (id, name, slug, created_at) VALUES ('bench', 'bench', 'bench', now())`);
    await c.query(
      `INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id, created_at)
       SELECT 's' || i, 'org/o' || lpad((i / 10000)::text, 9, '0') || '/posts/' || lpad(i::text, 9, '0') || '.jpg',
              'x.jpg', 'image/jpeg', 100 + i % 900, 'bench', now() - interval '30 days'
         FROM generate_series(0, $1 - 1) AS i
        WHERE i % 100 <> 0`,
      [n],
    );
    await c.query('ANALYZE storage');
  });
}

function* objects(n: number, now: number): Generator<PreloadObject> {
  for (let i = 0; i < n; i++) if (!isMissing(i)) yield { key: keyOf(i), size: sizeOf(i), contentType: 'image/jpeg', lastModified: now - 30 * DAY };
}

/** A stand-in S3 client that answers ListObjectsV2 from the generator, 1,000 keys a page. */
function syntheticStore(n: number, now: number): ObjectStore {
  const lastModified = new Date(now - 30 * DAY);
  const client = {
    async send(cmd: unknown): Promise<ListObjectsV2CommandOutput> {
      if (!(cmd instanceof ListObjectsV2Command)) throw new Error('synthetic store: only ListObjectsV2');
      let i = Number(cmd.input.ContinuationToken ?? 0);
      const Contents = [];
      while (i < n && Contents.length < 1000) {
        if (!isMissing(i)) Contents.push({ Key: keyOf(i), Size: sizeOf(i), LastModified: lastModified });
        i++;
      }
      return { $metadata: {}, Contents, IsTruncated: i < n, NextContinuationToken: i < n ? String(i) : undefined };
    },
    destroy() {},
  };
  return { client: client as unknown as ObjectStore['client'], bucket: 'synthetic' };
}

interface Row { mode: 'server' | 'synthetic'; objects: number; seconds: number; objectsPerSecond: number; peakHeapMiB: number; peakRssMiB: number; seedSeconds: number; serverRssMiB?: number; preloadSeconds?: number; loadavg?: number[]; counts: { a: number; b: number; listed: number } }

async function measure(mode: Row['mode'], url: string, store: ObjectStore, n: number, seedSeconds: number): Promise<Row> {
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peakHeap = heap0;
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const t0 = performance.now();
  let r: AuditReport;
  try {
    r = await withClient(url, (c) => runAudit(c, store, { graceMs: 7 * DAY, examples: 10 }));
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  const expectOrphans = Math.ceil(n / 100);
  const expectMissing = Math.floor((n + 49) / 100);
  if (r.orphans.count !== expectOrphans || r.missing.unreferenced !== expectMissing) {
    throw new Error(`${mode} ${n}: the audit found ${r.orphans.count} orphans and ${r.missing.unreferenced} missing, expected ${expectOrphans} and ${expectMissing}`);
  }
  return {
    mode, objects: r.listed.objects, seconds: Number(seconds.toFixed(2)), objectsPerSecond: Math.round(r.listed.objects / seconds),
    peakHeapMiB: Number(((peakHeap - heap0) / 1048576).toFixed(1)), peakRssMiB: Number((peakRss / 1048576).toFixed(0)), seedSeconds,
    counts: { a: r.orphans.count, b: r.missing.unreferenced, listed: r.listed.objects },
  };
}

/** moto's peak RSS (VmHWM): the in-memory store holds every object, so it grows with the bucket. */
function serverRss(pid: number): number | undefined {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : undefined;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const rows: Row[] = [];
  const out = path.join(ROOT, 'bench/results', `storage-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  // Written after every size, so a run stopped halfway keeps what it measured.
  const save = () => fs.writeFileSync(out, JSON.stringify({ node: process.version, cores: os.cpus().length, loadavg: os.loadavg(), heapLimitMiB: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576), rows }, null, 2) + '\n');
  const server: Server = await startServer();
  const s3 = await startS3();
  try {
    for (const n of sizesSetting('AUDIT_BENCH_SIZES')) {
      const url = await server.createDatabase('imgref_bench_audit');
      await loadBaseline(url);
      const t0 = performance.now();
      await fillDatabase(url, n);
      const bucket = `bench-${n}`;
      const store = await s3.createBucket(bucket);
      const t1 = performance.now();
      await s3.preload(bucket, objects(n, Date.now()));
      const preloadSeconds = Number(((performance.now() - t1) / 1000).toFixed(1));
      rows.push({ ...(await measure('server', url, store, n, Number(((performance.now() - t0) / 1000).toFixed(1)))), serverRssMiB: serverRss(s3.pid), preloadSeconds, loadavg: os.loadavg() });
      process.stderr.write(`server ${n}: ${JSON.stringify(rows.at(-1))}\n`);
      save();
      await server.dropDatabase(url);
    }
    await s3.stop();
    for (const n of sizesSetting('AUDIT_BENCH_SYNTHETIC')) {
      const url = await server.createDatabase('imgref_bench_audit');
      await loadBaseline(url);
      const t0 = performance.now();
      await fillDatabase(url, n);
      rows.push(await measure('synthetic', url, syntheticStore(n, Date.now()), n, Number(((performance.now() - t0) / 1000).toFixed(1))));
      process.stderr.write(`synthetic ${n}: ${JSON.stringify(rows.at(-1))}\n`);
      save();
      await server.dropDatabase(url);
    }
  } finally {
    await s3.stop();
    await server.stop();
  }
  console.log(['mode       objects    seconds  objects/s  peak heap MiB  peak rss MiB', ...rows.map((r) =>
    `${r.mode.padEnd(9)} ${String(r.objects).padStart(9)} ${r.seconds.toFixed(1).padStart(9)} ${String(r.objectsPerSecond).padStart(10)} ${r.peakHeapMiB.toFixed(1).padStart(14)} ${String(r.peakRssMiB).padStart(13)}`)].join('\n'));
  console.log(`written ${path.relative(ROOT, out)}`);
}

main().then(() => process.exit(0), (e) => {
  console.error(`bench-storage-audit: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
