// make verify: seed a scratch database, run the pack step by step, check every invariant where
// it must hold, roll everything back, compare, run it again. Prints a summary and writes
// reports/verify.json. Exit code: 0 all passed, 1 a check failed, 2 could not run.
import fs from 'node:fs';
import path from 'node:path';
import { withClient } from '../lib/db.ts';
import { sqlText, ROOT } from '../lib/sql.ts';
import { startServer, loadBaseline, type Server } from '../lib/target.ts';
import { migrate, migrationNames } from '../lib/migrate.ts';
import { PLAN, lastOf, verifyText } from '../lib/plan.ts';
import { checkPhase, snapshot, formatViolation, type InvariantResult, type Phase } from './invariants.ts';
import { describeError } from '../lib/errors.ts';
import { seed, seedOptionsFromEnv } from '../lib/seed/seed.ts';
import { progressReporter } from '../lib/progress.ts';
import { objectSeedOptionsFromEnv } from '../lib/seed/objects.ts';
import { startBucketCheck, type BucketCheck, type BucketLinks } from './bucket-check.ts';
import { formatTable } from '../lib/table.ts';

interface StepResult { step: string; ms: number; note?: string }
interface StepCheck { step: string; check: string; ok: boolean }

export const DEFAULT_VERIFY_POSTS = 400_000;

/** After which migration each phase's invariants must hold. */
const PHASE_AFTER: Record<string, Phase> = {
  [PLAN[lastOf('backfill')].name]: 'transition',
  [PLAN[lastOf('validate')].name]: 'validated',
  [PLAN[lastOf('contract')].name]: 'contracted',
};

const log = (line: string) => process.stderr.write(line + '\n');

async function timed<T>(steps: StepResult[], step: string, fn: () => Promise<T>, note?: (r: T) => string): Promise<T> {
  log(`== ${step}`);
  const t0 = performance.now();
  const r = await fn();
  steps.push({ step, ms: Math.round(performance.now() - t0), note: note?.(r) });
  return r;
}

/** Runs migrations/<migration>/verify.sql: the step's own checks, sqitch style. */
async function verifyStep(url: string, name: string): Promise<StepCheck[]> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ check: string; ok: boolean }>(verifyText(name));
    return rows.map((r) => ({ step: name, check: r.check, ok: r.ok === true }));
  });
}

const table = (head: string[], rows: (string | number)[][]): string => formatTable(rows, { head, align: head.map(() => 'l') });

export interface VerifyReport {
  ok: boolean;
  /** set when the run could not finish */
  error?: string;
  ms: number;
  seed?: unknown;
  steps: StepResult[];
  stepChecks: StepCheck[];
  invariants: InvariantResult[];
}

export async function verify(env: NodeJS.ProcessEnv = process.env): Promise<VerifyReport> {
  const steps: StepResult[] = [];
  const stepChecks: StepCheck[] = [];
  const invariants: InvariantResult[] = [];
  const started = performance.now();
  let server: Server | undefined;
  let url: string | undefined;
  let seedSummary: unknown;
  let error: string | undefined;
  let bucket: BucketCheck | undefined;
  try {
    // About a minute on 2 cores; SCALE=… for another size (1M posts: see README).
    const seedOptions = { posts: DEFAULT_VERIFY_POSTS, ...seedOptionsFromEnv(env) };
    server = await timed(steps, 'start server', () => startServer(env), (s) => `${s.kind}, PostgreSQL ${s.version}`);
    url = await server.createDatabase('imgref_verify');
    const dbUrl = url;
    await timed(steps, 'load baseline', () => loadBaseline(dbUrl));
    seedSummary = await timed(
      steps,
      `seed ${seedOptions.posts} posts`,
      () => withClient(dbUrl, (c) => seed(c, { ...seedOptions, onProgress: progressReporter('seed') })),
      (s) => Object.entries(s.rows).map(([t, n]) => `${t} ${n}`).join(', '),
    );
    // SEED_OBJECTS=1: a bucket too, and its broken-link count before and after the pack.
    const objectOptions = objectSeedOptionsFromEnv(env);
    if (objectOptions) bucket = await timed(steps, 'seed bucket', () => startBucketCheck(dbUrl, objectOptions), (b) => `${b.summary.objects} objects`);
    const linksBefore = await bucket?.count();
    if (bucket && linksBefore) {
      const planted = bucket.summary.missing;
      stepChecks.push({ step: 'bucket', check: `bucket_broken_links before the pack: posts ${linksBefore.posts}, users ${linksBefore.users} (seeded ${planted.showingPosts}, ${planted.showingUsers})`, ok: linksBefore.posts === planted.showingPosts && linksBefore.users === planted.showingUsers });
    }
    const linkCheck = async (when: string) => {
      if (!bucket || !linksBefore) return;
      const now: BucketLinks = await bucket.count();
      stepChecks.push({ step: 'bucket', check: `bucket_broken_links ${when}: posts ${linksBefore.posts} -> ${now.posts}, users ${linksBefore.users} -> ${now.users}`, ok: now.posts === linksBefore.posts && now.users === linksBefore.users });
    };
    await timed(steps, 'snapshot', () => withClient(dbUrl, snapshot));

    const check = async (phase: Phase) => {
      const results = await withClient(dbUrl, (c) => checkPhase(c, phase));
      invariants.push(...results);
      for (const r of results) log(`   ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${phase})${r.ok ? '' : ': ' + formatViolation(r)}`);
    };

    for (const name of migrationNames()) {
      await timed(steps, `up ${name}`, () => migrate(dbUrl, { direction: 'up', count: 1, log: (l) => log('   ' + l) }));
      stepChecks.push(...(await verifyStep(dbUrl, name)));
      if (PHASE_AFTER[name]) await check(PHASE_AFTER[name]);
    }
    await linkCheck('after the pack');
    await timed(steps, 'down (all)', () => migrate(dbUrl, { direction: 'down', log: (l) => log('   ' + l) }));
    await check('rolledback');
    await linkCheck('after the rollback');
    const sums = await withClient(dbUrl, (c) => c.query(sqlText('invariants/checksums.sql')));
    const cs = sums.rows[0];
    steps.push({ step: 'checksums', ms: 0, note: `posts ${cs.posts_before === cs.posts_after ? 'equal' : 'DIFFER'} (${cs.posts_after}), user ${cs.user_before === cs.user_after ? 'equal' : 'DIFFER'} (${cs.user_after})` });
    await timed(steps, 'up (all, again)', () => migrate(dbUrl, { direction: 'up', log: (l) => log('   ' + l) }));
    await check('reapplied');
  } catch (e) {
    error = describeError(e);
  } finally {
    await bucket?.stop().catch(() => {});
    if (server && url) await server.dropDatabase(url).catch((e) => log(`warning: could not drop ${url}: ${describeError(e)}`));
    await server?.stop().catch(() => {});
  }
  const failed = stepChecks.some((c) => !c.ok) || invariants.some((i) => !i.ok);
  return { ok: !error && !failed, error, ms: Math.round(performance.now() - started), seed: seedSummary, steps, stepChecks, invariants };
}

async function main() {
  const result = await verify();
  const { steps, stepChecks, invariants, error } = result;
  if (error && steps.length === 0) {
    // Nothing ran (the server did not start): one line says why and what to do.
    console.error(`verify: ${error}`);
    process.exit(2);
  }
  const failed = [...stepChecks.filter((c) => !c.ok), ...invariants.filter((i) => !i.ok)];
  console.log('\nSteps');
  console.log(table(['step', 'ms', 'note'], steps.map((s) => [s.step, s.ms, s.note ?? ''])));
  console.log('\nStep checks (migrations/*/verify.sql)');
  console.log(table(['step', 'check', 'result'], stepChecks.map((c) => [c.step, c.check, c.ok ? 'pass' : 'FAIL'])));
  console.log('\nInvariants (sql/invariants/)');
  console.log(table(['invariant', 'phase', 'result', 'violations', 'ms'], invariants.map((i) => [i.name, i.phase, i.ok ? 'pass' : 'FAIL', i.violations, i.ms])));
  for (const i of invariants.filter((x) => !x.ok)) console.log('  ' + formatViolation(i));
  const { ok } = result;
  fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'reports/verify.json'), JSON.stringify(result, null, 2) + '\n');
  if (error) console.log(`\nverify could not finish: ${error}`);
  console.log(`\n${ok ? 'verify passed' : 'verify FAILED'}: ${stepChecks.length} step checks, ${invariants.length} invariant checks, ${failed.length} failed, ${(result.ms / 1000).toFixed(1)} s; report: reports/verify.json`);
  process.exit(error ? 2 : ok ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
