// What a benchmark run found: the results file's shape, the targets, and the printed tables.
import type { Latency } from './measure.ts';
import type { BackfillComparison, BackfillDone, BackfillRun } from './backfill.ts';
import type { PackStep } from './pack.ts';
import { drizzleFeedTargets, printDrizzleFeed, type DrizzleFeedResult } from './drizzle-feed.ts';
import { formatTable, type Align } from '../lib/table.ts';
import type { Target } from './target.ts';

/** Every query must answer within this, at p99. */
export const BUDGET_MS = 100;

export interface Comparison {
  name: string;
  /** what "before" and "after" mean for this row */
  beforeLabel: string;
  afterLabel: string;
  before: Latency;
  after: Latency;
}

export type { Target };

export interface Results {
  startedAt: string;
  finishedAt: string;
  durationS: number;
  scale: { posts: number; seed: number; rows: Record<string, number> };
  server: { kind: string; version: number };
  machine: { cpus: number; node: string; loadavgStart: number[]; loadavgEnd: number[] };
  settings: { timeMs: number; warmupMs: number; pageSize: number; deepPage: number; batchSize: number; rounds: number; roundMs: number };
  feed: { organizationId: string; viewerId: string; organizationPosts: number; deepCursor: { created_at: string; id: string } };
  seedMs: number;
  /** the sequential run: before/ queries, then the pack, then the new queries */
  queries: Comparison[];
  /** the same, before on a baseline twin and after on the migrated database, alternating in rounds */
  queriesInterleaved: Comparison[];
  storageDelete: Comparison;
  pack: PackStep[];
  packBackfill: BackfillDone[];
  vacuumAfterPackMs: number;
  backfill: BackfillComparison;
  plans: { before: { outline: string; violations: string[] }; after: { outline: string; violations: string[] } };
  consistency: string[];
  /** app/model's Drizzle feed beside feed.sql, interleaved (absent in results from before it existed) */
  drizzleFeed?: DrizzleFeedResult;
  targets: Target[];
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** Issue 13's targets: the feed's p99 after the pack (2 ms from 10M posts on), its after/before p50, the whole pack at 10M. */
const FEED_RATIO = 1.15;
const feedP99Ms = (posts: number) => (posts >= 10_000_000 ? 2 : 1);
const PACK_10M_S = 300;

export function targets(r: Omit<Results, 'targets'>): Target[] {
  const out: Target[] = [];
  const posts = r.scale.posts;
  const at = posts === 1_000_000 || posts === 10_000_000 ? '' : ` [measured at ${int(posts)} posts; the targets are for 1,000,000 and 10,000,000]`;
  const side = new Map(r.queriesInterleaved.map((q) => [q.name, q]));
  for (const q of r.queries.filter((x) => x.name.startsWith('feed'))) {
    const i = side.get(q.name)!;
    out.push({
      name: `${q.name}: p99 <= ${feedP99Ms(posts)} ms after the pack (sequential run)${at}`,
      measured: `${ms(q.after.p99)} ms (interleaved rounds: ${ms(i.after.p99)} ms)`,
      pass: q.after.p99 <= feedP99Ms(posts),
    });
    // p50: on a busy machine the mean follows the tail, which is mostly other processes' load
    const ratio = i.after.p50 / i.before.p50;
    out.push({
      name: `${q.name}: after/before <= ${FEED_RATIO}x (p50, interleaved rounds)`,
      measured:
        `${ratio.toFixed(2)}x, +${ms(i.after.p50 - i.before.p50)} ms; mean ${(i.after.mean / i.before.mean).toFixed(2)}x ` +
        `(sequential run: p50 ${(q.after.p50 / q.before.p50).toFixed(2)}x, mean ${(q.after.mean / q.before.mean).toFixed(2)}x)`,
      pass: Number(ratio.toFixed(2)) <= FEED_RATIO, // judged as printed
    });
  }
  if (posts >= 10_000_000) {
    const total = r.pack.reduce((sum, p) => sum + p.ms, 0) / 1000;
    out.push({ name: `the whole pack <= ${PACK_10M_S / 60} min wall at 10M posts`, measured: `${total.toFixed(1)} s`, pass: total <= PACK_10M_S });
  }
  out.push({
    name: 'storage row delete: p99 <= 1 ms with the image_id indexes',
    measured: `${ms(r.storageDelete.after.p99)} ms (without: ${ms(r.storageDelete.before.p99)} ms)`,
    pass: r.storageDelete.after.p99 <= 1,
  });
  out.push(...backfillTargets(r));
  // the app's queries before and after the pack, and the storage delete as the pack leaves it
  // (with the indexes). The delete without them is shown in the table only: it is why step 03
  // builds the indexes before 04 adds the keys, so no such window exists in the pack.
  const app = r.queries.filter((q) => !q.name.startsWith('round trip'));
  const p99s = [
    ...app.flatMap((q) => [{ what: `${q.name}, before`, p99: q.before.p99 }, { what: `${q.name}, after`, p99: q.after.p99 }]),
    { what: `${r.storageDelete.name}, with the indexes`, p99: r.storageDelete.after.p99 },
  ].sort((a, b) => b.p99 - a.p99);
  out.push({
    name: `every app query p99 within the ${BUDGET_MS} ms budget, before and after the pack`,
    measured: `worst ${ms(p99s[0].p99)} ms (${p99s[0].what})`,
    pass: p99s[0].p99 <= BUDGET_MS,
  });
  out.push(...drizzleFeedTargets(r.drizzleFeed));
  return out;
}

const table = (head: string[], rows: string[][], align: Align[]): string => formatTable(rows, { head, align });

/** Where and how the run measured. */
function printableHeader(r: Results): string {
  const parts: string[] = [];
  parts.push(
    `Benchmark ${r.startedAt}: ${int(r.scale.posts)} posts (seed ${r.scale.seed}), ${r.server.kind} PostgreSQL ${r.server.version}, ` +
      `${r.machine.cpus} cores, load average ${r.machine.loadavgStart.map((x) => x.toFixed(2)).join(' ')} at start, ` +
      `${r.machine.loadavgEnd.map((x) => x.toFixed(2)).join(' ')} at the end`,
  );
  parts.push(
    `Feed: organization ${r.feed.organizationId} (${int(r.feed.organizationPosts)} posts), viewer ${r.feed.viewerId}, ` +
      `pages of ${r.settings.pageSize}, deep page ${r.settings.deepPage}. Latency per round trip (prepared statements), ` +
      `${r.settings.timeMs} ms of samples per query after ${r.settings.warmupMs} ms of warmup.`,
  );
  return parts.join('\n\n');
}

/** The sequential run: before/ queries, the pack, the new queries; and the storage delete. */
function printableSequential(r: Results): string {
  const parts: string[] = [];
  const rows = [...r.queries, r.storageDelete].map((q) => {
    const ratio = q.after.mean / q.before.mean;
    const headroom = BUDGET_MS - q.after.p99;
    return [
      q.name,
      ms(q.before.mean), ms(q.before.p50), ms(q.before.p95), ms(q.before.p99),
      ms(q.after.mean), ms(q.after.p50), ms(q.after.p95), ms(q.after.p99),
      `${ratio.toFixed(2)}x`,
      `${ms(headroom)} ms (${Math.floor(BUDGET_MS / q.after.p99).toLocaleString('en-US')}x)`,
      `${int(q.before.samples)}/${int(q.after.samples)}`,
    ];
  });
  parts.push(
    'Sequential run, latency in ms. before = the before/ query on the baseline schema, after = the new query on the same\n' +
      'database after the whole pack;' +
      ` for the storage delete: before = without the image_id indexes, after = with them.\nHeadroom = ${BUDGET_MS} ms budget - after p99.\n\n` +
      table(
        ['query', 'b.mean', 'b.p50', 'b.p95', 'b.p99', 'a.mean', 'a.p50', 'a.p95', 'a.p99', 'a/b', `headroom vs ${BUDGET_MS} ms`, 'samples'],
        rows,
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
  );
  return parts.join('\n\n');
}

/** Before on the baseline twin and after on the migrated database, alternating. */
function printableInterleaved(r: Results): string {
  const parts: string[] = [];
  const irows = r.queriesInterleaved.map((q) => [
    q.name,
    ms(q.before.mean), ms(q.before.p50), ms(q.before.p99),
    ms(q.after.mean), ms(q.after.p50), ms(q.after.p99),
    `${(q.after.mean / q.before.mean).toFixed(2)}x`,
    `${(q.after.p50 / q.before.p50).toFixed(2)}x`,
    `${int(q.before.samples)}/${int(q.after.samples)}`,
  ]);
  parts.push(
    `Interleaved, ms: the before/ query on a baseline twin (a copy taken after seeding) and the new query on the\n` +
      `migrated database, alternating in ${r.settings.rounds} rounds of ${r.settings.roundMs} ms a side, samples pooled. Load from elsewhere hits both sides alike.\n\n` +
      table(
        ['query', 'b.mean', 'b.p50', 'b.p99', 'a.mean', 'a.p50', 'a.p99', 'a/b mean', 'a/b p50', 'samples'],
        irows,
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
  );
  return parts.join('\n\n');
}

/** The pack, step by step. */
function printablePack(r: Results): string {
  const parts: string[] = [];
  const total = r.pack.reduce((s, p) => s + p.ms, 0);
  parts.push(
    'The pack, step by step (wall time):\n\n' +
      table(
        ['step', 'seconds'],
        [...r.pack.map((p) => [p.name, (p.ms / 1000).toFixed(2)]), ['total', (total / 1000).toFixed(2)], ['VACUUM ANALYZE afterwards', (r.vacuumAfterPackMs / 1000).toFixed(2)]],
        ['l', 'r'],
      ),
  );
  return parts.join('\n\n');
}

/** The pack's backfill against its reference (issue 13): the ratio and the batch bound. */
function backfillTargets(r: Omit<Results, 'targets'>): Target[] {
  const b = r.backfill;
  const step06 = r.packBackfill.find((d) => d.table === 'posts');
  const slowest = Math.max(b.batched.slowestBatchMs, ...r.packBackfill.map((d) => d.slowestBatchMs));
  const bound: Target = { name: "every backfill batch <= 250 ms (the pack's procedure on the copy, and step 06)", measured: `slowest ${ms(slowest)} ms`, pass: slowest <= 250 };
  if (!b.reference) return [bound]; // a run from before the reference existed
  const ref = b.reference;
  const stepRatio = step06 ? (step06.seconds * 1000) / ref.ms : NaN;
  const which = ref.fastest === 'single' ? 'one UPDATE ... FROM' : 'the page walk';
  // Judged on the pack's procedure measured beside the references (same copies, alternating
  // rounds, best of each); step 06 itself runs minutes later, under whatever load then is.
  return [
    {
      name: `backfill of posts: the pack's procedure <= 1.15x the reference (the faster of one UPDATE ... FROM and the page walk, no trigger, no foreign key)`,
      measured:
        `${b.ratio.toFixed(2)}x (${(b.batched.ms / 1000).toFixed(2)} s against ${(ref.ms / 1000).toFixed(2)} s, ${which}; best of ${b.rounds?.length ?? 1} alternating rounds); ` +
        `step 06 of the pack run: ${step06 ? `${step06.seconds.toFixed(2)} s, ${stepRatio.toFixed(2)}x` : '-'}`,
      pass: Number(b.ratio.toFixed(2)) <= 1.15, // judged as printed
    },
    bound,
  ];
}

const perMillion = (run: { secondsPerMillion?: number; ms: number }, posts: number) =>
  (run.secondsPerMillion ?? run.ms / 1000 / (posts / 1e6)).toFixed(2);

/** The references, the pack on a copy and in its step 06, and each idea of issue 13 item 2. */
function printableBackfill(r: Results): string {
  const b = r.backfill;
  if (!b.reference) return `Backfill of posts (${int(b.posts)} rows): this run has no reference (a run from before issue 13).`;
  const walMb = (run: BackfillRun) => (run.walBytes === undefined ? '-' : `${int(run.walBytes / 2 ** 20)} MB`);
  const row = (what: string, run: BackfillRun, over: string): string[] => [
    what, (run.ms / 1000).toFixed(2), perMillion(run, b.posts), int(run.rowsPerSecond), int(run.mapped),
    run.batches === undefined ? '1' : int(run.batches), run.slowestBatchMs === undefined ? '-' : `${ms(run.slowestBatchMs)} ms`, over, walMb(run),
  ];
  const over = (x: number) => `${(x / b.reference.ms).toFixed(2)}x`;
  const rows = [
    row('reference (a): one UPDATE ... FROM, no trigger, no foreign key', b.reference.single, over(b.reference.single.ms)),
    row(`reference (b): the page walk, ${b.batchSize} rows a batch, no trigger, no foreign key`, b.reference.batched, over(b.reference.batched.ms)),
    row(`the pack's procedure, ${b.batchSize} rows a batch`, b.batched, over(b.batched.ms)),
    ...r.packBackfill.map((d) => [
      `in the pack's step 06: ${d.table}`, d.seconds.toFixed(2), perMillion({ ms: d.seconds * 1000 }, d.scanned), int(d.rowsPerSecond), int(d.mapped),
      int(d.batches), `${ms(d.slowestBatchMs)} ms`, d.table === 'posts' ? over(d.seconds * 1000) : '-', '-',
    ]),
  ];
  const ideas = b.ideas.map((i) => [
    i.name, i.adopted ? 'yes' : 'no', (i.run.ms / 1000).toFixed(2), `${i.overPack.toFixed(2)}x`, `${i.overReference.toFixed(2)}x`,
    `${((i.run.ms - b.batched.ms) / 1000).toFixed(2)} s`, `${ms(i.run.slowestBatchMs ?? 0)} ms`, walMb(i.run),
  ]);
  return (
    `Backfill of posts (${int(b.posts)} rows), each on its own copy of the database taken just before step 06; ` +
    `s/1M = seconds per million posts rows. The reference is the faster of (a) and (b): ${b.reference.fastest === 'single' ? '(a)' : '(b)'}.\n\n` +
    table(['method', 'seconds', 's/1M', 'rows/s', 'mapped', 'batches', 'slowest batch', 'x reference', 'WAL'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']) +
    `\n\nEach round, s (the table shows the best of each): ` +
    (b.rounds ?? []).map((x, i) => `${i + 1}: (a) ${(x.single / 1000).toFixed(2)}, (b) ${(x.batched / 1000).toFixed(2)}, pack ${(x.pack / 1000).toFixed(2)}`).join('; ') +
    `\n\nIdeas of issue 13 (each: the pack's procedure on a copy with one thing changed back, or the key dropped; ` +
    `adopted = the pack has it, and the row shows the pack without it):\n\n` +
    table(['variant', 'adopted', 'seconds', 'x pack', 'x reference', 'vs pack', 'slowest batch', 'WAL'], ideas, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'])
  );
}

export function printable(r: Results): string {
  const parts: string[] = [];
  parts.push(printableHeader(r), printableSequential(r), printableInterleaved(r), printablePack(r), printableBackfill(r));

  const plan = (label: string, p: { violations: string[] }) =>
    `${label}: ${p.violations.length === 0 ? 'index scans only (feed index, primary keys), no seq scan, no hashed subplan' : p.violations.join('; ')}`;
  parts.push('Feed plans (generic plan of the prepared statement):\n' + plan('  before', r.plans.before) + '\n' + plan('  after ', r.plans.after));
  if (r.consistency.length) parts.push('Same answers before and after:\n' + r.consistency.map((c) => `  ${c}`).join('\n'));

  if (r.drizzleFeed) parts.push(printDrizzleFeed(r.drizzleFeed));
  parts.push('Targets (shown, not asserted):\n' + r.targets.map((t) => `  ${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.measured}`).join('\n'));
  return parts.join('\n\n');
}
