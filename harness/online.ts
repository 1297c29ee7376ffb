// make verify-online: the pack under live traffic. On a seeded database, old-app writers (image_key,
// "user".image), new-app writers (image_id, once the sync triggers exist) and feed readers keep
// working while the pack runs up to the contract. Then, with the writers stopped: the transition
// invariants (columns_agree, image_ids_resolve, constraints_valid), every touched row holds its
// last write (sql/online/writes_applied.sql), every other row is as before with the rule's
// image_id (sql/online/untouched_rows_intact.sql). Then the contract runs and is rolled back
// under feed reads, and both columns must be what they were right before it. Every app statement
// is timed and tagged with the migration step running when it started; none may fail, and none
// may take longer than the pack's DDL lock_timeout.
//
//   npx tsx harness/online.ts                 # 200k posts (SCALE=50k for a quick run)
//
// Environment: SCALE and SEED_* (seeds/seed.ts; default 200k posts here), PG_VERSION,
// DATABASE_URL (a scratch database is made on that server), ONLINE_WRITERS (per app version, 2),
// ONLINE_READERS (4), ONLINE_THINK_MS (pause between one client's statements, 2),
// BACKFILL_BATCH_SIZE / BACKFILL_PAUSE_MS (the backfill's own knobs).
// Prints a latency table per migration step and writes reports/online.json.
// Exit code: 0 all passed, 1 a check failed, 2 could not run.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { migrate, migrationNames } from './migrate.ts';
import { checkInvariant, snapshot } from './invariants.ts';
import { describeError } from './errors.ts';
import { ROOT, loadBaseline, sqlFile, startServer, withClient, type Server } from './target.ts';
import { seed, seedOptionsFromEnv } from '../seeds/seed.ts';
import { progressReporter } from '../seeds/progress.ts';

/**
 * The pack's DDL lock_timeout. A lock request queued in front of app queries gives up after this,
 * so no app statement may take longer in any step (the concurrent index builds of 02 and 07
 * wait up to 30 s, but for older transactions, and block no app query meanwhile).
 */
export const APP_BUDGET_MS = 3000;

type Kind = 'old-app write' | 'new-app write' | 'old-app read' | 'new-app read';

type Client = [name: string, role: Kind, next: (c: pg.Client) => Promise<Statement | null>];

export interface OnlineOptions {
  /** writer clients per app version (old, new) */
  writers: number;
  readers: number;
  /** pause between one client's statements */
  thinkMs: number;
  /** traffic before the first and after the last migration, as a baseline */
  warmupMs: number;
  /** a safety net well above the lock timeouts: a hang shows as a failure, not a stuck run */
  statementTimeoutMs: number;
  /** rows each writer owns (writers never share a row, so each row's last write is known) */
  rowsPerWriter: number;
  seed: number;
  log: (line: string) => void;
}

export const DEFAULT_ONLINE_OPTIONS: Omit<OnlineOptions, 'log'> = {
  writers: 2,
  readers: 4,
  thinkMs: 2,
  warmupMs: 1000,
  statementTimeoutMs: 15_000,
  rowsPerWriter: 300,
  seed: 7,
};

export interface StepStats {
  step: string;
  ms: number;
  statements: number;
  byKind: Partial<Record<Kind, number>>;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  /** null: reported, not held to a budget */
  budgetMs: number | null;
  ok: boolean;
}

export interface CheckResult {
  name: string;
  /** when it ran */
  when: string;
  ok: boolean;
  violations: number;
  examples: { tbl: string; row_id: string | null; detail: string }[];
  ms: number;
}

export interface AppError {
  step: string;
  kind: Kind;
  code?: string;
  message: string;
}

export interface OnlineReport {
  ok: boolean;
  /** set when a migration or the harness itself failed */
  error?: string;
  posts: number;
  steps: StepStats[];
  statements: number;
  /** the longest any app statement took, in any step, and that step */
  maxAppMs: number;
  maxAppStep: string;
  /** the same over the steps held to APP_BUDGET_MS (all but the contract's downs) */
  maxBudgetedMs: number;
  maxBudgetedStep: string;
  errors: number;
  /** the first few app errors */
  errorExamples: AppError[];
  touched: { posts: number; user: number };
  /** new-app clears that matched no row: the image was not shown (image_id still NULL) */
  noopClears: number;
  checks: CheckResult[];
  ms: number;
}

interface Sample { step: string; kind: Kind; ms: number; failed: boolean }

/** A column write a client made; the last successful one per row is what the row must hold. */
interface Write { tbl: 'posts' | 'user'; id: string; col: string; value: string | null }

/** What one run's clients share: the step running now, the samples, the new app's switch. */
interface Traffic {
  step: string;
  stopped: boolean;
  transitionReady: boolean;
  samples: Sample[];
  errors: AppError[];
  writes: Map<string, Write>;
  noopClears: number;
}

interface Statement {
  file: string;
  values: unknown[];
  kind: Kind;
  write?: Write;
  /** the statement may match no row (a clear of an image the new app does not show): then it wrote nothing */
  mayMatchNone?: boolean;
}

interface Fixtures {
  orgs: string[];
  posts: { id: string; organization_id: string; user_id: string }[];
  users: string[];
  storageByOrg: Map<string | null, { id: string; file_key: string }[]>;
  storage: { id: string; organization_id: string | null; file_key: string }[];
}

const SQL = new Map<string, string>();
const sql = (file: string) => {
  if (!SQL.has(file)) SQL.set(file, sqlFile(`online/${file}`));
  return SQL.get(file)!;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: each client's choices are reproducible from the run's seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)];

async function loadFixtures(url: string, o: OnlineOptions): Promise<Fixtures> {
  return withClient(url, async (c) => {
    const orgs = (await c.query(sql('organizations.sql'))).rows.map((r) => r.id as string);
    const posts = (await c.query(sql('sample_posts.sql'), [o.rowsPerWriter * o.writers * 2])).rows;
    const users = (await c.query(sql('sample_users.sql'), [Math.ceil(o.rowsPerWriter / 4) * o.writers * 2])).rows.map((r) => r.id as string);
    const storage = (await c.query(sql('sample_storage.sql'), [5000])).rows;
    const storageByOrg = new Map<string | null, { id: string; file_key: string }[]>();
    for (const s of storage) {
      if (!storageByOrg.has(s.organization_id)) storageByOrg.set(s.organization_id, []);
      storageByOrg.get(s.organization_id)!.push(s);
    }
    if (!posts.length || !users.length || !storage.length) throw new Error('verify-online needs a seeded database: no posts, users or storage rows');
    return { orgs, posts, users, storageByOrg, storage };
  });
}

/** Runs one client until traffic.stopped; every statement is timed and tagged with the step it started in. */
async function runClient(
  url: string,
  name: string,
  t: Traffic,
  o: OnlineOptions,
  role: Kind,
  next: (c: pg.Client) => Promise<Statement | null>,
): Promise<void> {
  const c = new pg.Client({ connectionString: url, statement_timeout: o.statementTimeoutMs, application_name: `online ${name}` });
  c.on('error', () => {});
  await c.connect();
  try {
    while (!t.stopped) {
      let st: Statement | null = null;
      try {
        st = await next(c);
      } catch (e) {
        // The new app's switch (transition_ready.sql) failed: an app error like any other.
        t.errors.push({ step: t.step, kind: role, code: (e as { code?: string }).code, message: describeError(e) });
      }
      if (st) {
        const step = t.step;
        const t0 = performance.now();
        try {
          // Named: prepared once per connection, as the app's driver would.
          const res = await c.query({ name: st.file, text: sql(st.file), values: st.values });
          t.samples.push({ step, kind: st.kind, ms: performance.now() - t0, failed: false });
          if (st.mayMatchNone && res.rowCount === 0) t.noopClears++;
          else if (st.write) t.writes.set(`${st.write.tbl}:${st.write.id}`, st.write);
        } catch (e) {
          t.samples.push({ step, kind: st.kind, ms: performance.now() - t0, failed: true });
          t.errors.push({ step, kind: st.kind, code: (e as { code?: string }).code, message: describeError(e) });
        }
      }
      await sleep(o.thinkMs);
    }
  } finally {
    await c.end().catch(() => {});
  }
}

/** Splits the sampled rows among the writers: each row belongs to exactly one of them. */
function share<T>(xs: T[], i: number, n: number): T[] {
  return xs.filter((_, j) => j % n === i);
}

function oldWriter(fx: Fixtures, w: number, n: number, r: () => number) {
  const posts = share(fx.posts, w, n);
  const users = share(fx.users, w, n);
  let inserts = 0;
  // A key for a post of org: mappable (one of org's uploads), unmapped (no such upload, or
  // another organization's), or NULL.
  const keyFor = (org: string): string | null => {
    const x = r();
    const own = fx.storageByOrg.get(org) ?? [];
    if (x < 0.5 && own.length) return pick(r, own).file_key;
    if (x < 0.65) return `org/${org}/posts/online-missing-${Math.floor(r() * 1e6)}.jpg`;
    if (x < 0.75) {
      const other = fx.storage.filter((s) => s.organization_id && s.organization_id !== org);
      if (other.length) return pick(r, other).file_key;
    }
    return null;
  };
  return async (): Promise<Statement> => {
    const x = r();
    if (x < 0.7) {
      const p = pick(r, posts);
      const key = keyFor(p.organization_id);
      return { file: 'old_update_post.sql', values: [p.id, key], kind: 'old-app write', write: { tbl: 'posts', id: p.id, col: 'image_key', value: key } };
    }
    if (x < 0.8) {
      const p = pick(r, posts);
      const id = `online-old${w}-${++inserts}`;
      const key = keyFor(p.organization_id);
      return { file: 'old_insert_post.sql', values: [id, p.organization_id, p.user_id, 'posted by the old app', key], kind: 'old-app write', write: { tbl: 'posts', id, col: 'image_key', value: key } };
    }
    const u = pick(r, users);
    const y = r();
    // A storage key (avatar or org upload: users map in any organization), an OAuth URL, or NULL.
    const image = y < 0.4 ? pick(r, fx.storage).file_key : y < 0.7 ? `https://lh3.googleusercontent.com/a/online-${Math.floor(r() * 1e6)}` : null;
    return { file: 'old_update_user.sql', values: [u, image], kind: 'old-app write', write: { tbl: 'user', id: u, col: 'image', value: image } };
  };
}

function newWriter(fx: Fixtures, t: Traffic, w: number, n: number, r: () => number) {
  const posts = share(fx.posts, w, n);
  const users = share(fx.users, w, n);
  let inserts = 0;
  const idFor = (org: string): string | null => {
    const own = fx.storageByOrg.get(org) ?? [];
    return r() < 0.7 && own.length ? pick(r, own).id : null;
  };
  return async (c: pg.Client): Promise<Statement | null> => {
    // The new app goes live once the transition triggers are committed (its deploy step).
    if (!t.transitionReady) {
      t.transitionReady = (await c.query(sql('transition_ready.sql'))).rows[0].ready === true;
      if (!t.transitionReady) {
        await sleep(20);
        return null;
      }
    }
    const x = r();
    if (x < 0.7) {
      const p = pick(r, posts);
      const id = idFor(p.organization_id);
      const write: Write = { tbl: 'posts', id: p.id, col: 'image_id', value: id };
      return id === null
        ? { file: 'new_clear_post.sql', values: [p.id], kind: 'new-app write', write, mayMatchNone: true }
        : { file: 'new_update_post.sql', values: [p.id, id], kind: 'new-app write', write };
    }
    if (x < 0.8) {
      const p = pick(r, posts);
      const postId = `online-new${w}-${++inserts}`;
      const id = idFor(p.organization_id);
      return { file: 'new_insert_post.sql', values: [postId, p.organization_id, p.user_id, 'posted by the new app', id], kind: 'new-app write', write: { tbl: 'posts', id: postId, col: 'image_id', value: id } };
    }
    const u = pick(r, users);
    const id = r() < 0.6 ? pick(r, fx.storage).id : null;
    const write: Write = { tbl: 'user', id: u, col: 'image_id', value: id };
    return id === null
      ? { file: 'new_clear_user.sql', values: [u], kind: 'new-app write', write, mayMatchNone: true }
      : { file: 'new_update_user.sql', values: [u, id], kind: 'new-app write', write };
  };
}

/** Readers alternate between the old app's feed and, once it is live, the new app's. */
function reader(fx: Fixtures, t: Traffic, r: () => number, oldApp: boolean) {
  let i = 0;
  return async (): Promise<Statement> => {
    const org = pick(r, fx.orgs);
    const useNew = t.transitionReady && (!oldApp || i++ % 2 === 1);
    return useNew
      ? { file: 'feed_probe.sql', values: [org], kind: 'new-app read' }
      : { file: 'feed_probe_old.sql', values: [org], kind: 'old-app read' };
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function stepStats(timeline: { step: string; at: number }[], end: number, t: Traffic, budget: (step: string) => number | null): StepStats[] {
  return timeline.map(({ step, at }, i) => {
    const samples = t.samples.filter((s) => s.step === step);
    const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
    const byKind: Partial<Record<Kind, number>> = {};
    for (const s of samples) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
    const errors = t.errors.filter((e) => e.step === step).length;
    const max = ms.length ? ms[ms.length - 1] : 0;
    const budgetMs = budget(step);
    return {
      step,
      ms: Math.round((timeline[i + 1]?.at ?? end) - at),
      statements: samples.length,
      byKind,
      errors,
      p50: round1(percentile(ms, 0.5)),
      p99: round1(percentile(ms, 0.99)),
      max: round1(max),
      budgetMs,
      ok: errors === 0 && (budgetMs === null || max <= budgetMs),
    };
  });
}

async function violations(c: pg.Client, name: string, when: string, text: string, params: unknown[]): Promise<CheckResult> {
  const t0 = performance.now();
  const body = text.trim().replace(/;\s*$/, '');
  const { rows } = await c.query(`SELECT v.*, count(*) OVER () AS total FROM (${body}) v ORDER BY v.tbl, v.row_id LIMIT 5`, params);
  const n = rows.length ? Number(rows[0].total) : 0;
  return { name, when, ok: n === 0, violations: n, examples: rows.map(({ tbl, row_id, detail }) => ({ tbl, row_id, detail })), ms: Math.round(performance.now() - t0) };
}

async function invariant(url: string, name: string, when: string, phase: 'validated' | 'contracted'): Promise<CheckResult> {
  const r = await withClient(url, (c) => checkInvariant(c, name, phase));
  return { name, when, ok: r.ok, violations: r.violations, examples: r.examples, ms: r.ms };
}

/**
 * One traffic phase: clients run while fn runs, the step tag following the migration log. Returns
 * the timeline even when fn fails, so the report shows where.
 */
async function underTraffic(
  url: string,
  t: Traffic,
  o: OnlineOptions,
  clients: Client[],
  lastStep: string,
  fn: (setStep: (s: string) => void) => Promise<void>,
): Promise<{ timeline: { step: string; at: number }[]; end: number; error?: unknown }> {
  const timeline = [{ step: t.step, at: performance.now() }];
  const setStep = (step: string) => {
    t.step = step;
    timeline.push({ step, at: performance.now() });
  };
  const running = clients.map(([name, role, next]) => runClient(url, name, t, o, role, next));
  let error: unknown;
  try {
    await sleep(o.warmupMs);
    await fn(setStep);
    setStep(lastStep);
    await sleep(o.warmupMs);
  } catch (e) {
    error = e;
  } finally {
    t.stopped = true;
    await Promise.all(running);
  }
  return { timeline, end: performance.now(), error };
}

/**
 * Runs the pack on url (a seeded database at the baseline, not yet migrated) under live traffic,
 * then the contract and its down under feed reads. Never throws for a failed check: see report.ok.
 */
export async function runOnline(url: string, opts: Partial<OnlineOptions> = {}): Promise<OnlineReport> {
  const o: OnlineOptions = { ...DEFAULT_ONLINE_OPTIONS, log: () => {}, ...opts };
  const started = performance.now();
  const names = migrationNames();
  const firstContract = names.findIndex((n) => n.includes('contract'));
  const contracts = names.length - firstContract;
  const checks: CheckResult[] = [];
  const steps: StepStats[] = [];
  const all: Traffic[] = [];
  let error: string | undefined;
  let posts = 0;
  const newTraffic = (step: string): Traffic => {
    const t: Traffic = { step, stopped: false, transitionReady: false, samples: [], errors: [], writes: new Map(), noopClears: 0 };
    all.push(t);
    return t;
  };
  const budget = (step: string) => (step.startsWith('down ') ? null : APP_BUDGET_MS);
  const onLog = (setStep: (s: string) => void) => (line: string) => {
    const m = /^(up|down) (\S+)$/.exec(line);
    if (m) {
      const step = m[1] === 'up' ? m[2] : line;
      setStep(step);
      o.log(`== ${step}`);
    } else o.log(line);
  };

  try {
    posts = await withClient(url, async (c) => Number((await c.query(sql('count_posts.sql'))).rows[0].n));
    const fx = await loadFixtures(url, o);
    // The original values and the rule's answer for each, for the rows no writer will touch.
    await withClient(url, snapshot);

    // 1. Expand, transition, backfill, validate, index: old and new app write and read throughout.
    const t = newTraffic('before');
    const r = rng(o.seed);
    const clients: Client[] = [];
    const n = o.writers * 2;
    for (let w = 0; w < o.writers; w++) clients.push([`old writer ${w}`, 'old-app write', oldWriter(fx, w, n, rng(r() * 2 ** 32))]);
    for (let w = 0; w < o.writers; w++) clients.push([`new writer ${w}`, 'new-app write', newWriter(fx, t, o.writers + w, n, rng(r() * 2 ** 32))]);
    for (let i = 0; i < o.readers; i++) clients.push([`reader ${i}`, 'old-app read', reader(fx, t, rng(r() * 2 ** 32), i % 2 === 0)]);
    o.log(`== live traffic: ${o.writers} old-app writers, ${o.writers} new-app writers, ${o.readers} readers; up ${firstContract}`);
    const p1 = await underTraffic(url, t, o, clients, 'after (writers stop)', async (setStep) => {
      await migrate(url, { direction: 'up', count: firstContract, log: onLog(setStep) });
    });
    steps.push(...stepStats(p1.timeline, p1.end, t, budget));
    if (p1.error) throw p1.error;

    // 2. The transition's invariants, with the writers stopped.
    const touched = [...t.writes.values()];
    for (const name of ['columns_agree', 'image_ids_resolve', 'constraints_valid']) checks.push(await invariant(url, name, 'before the contract', 'validated'));
    await withClient(url, async (c) => {
      checks.push(await violations(c, 'writes_applied', 'before the contract', sql('writes_applied.sql'), [JSON.stringify(touched)]));
      checks.push(await violations(c, 'untouched_rows_intact', 'before the contract', sql('untouched_rows_intact.sql'), [
        touched.filter((w) => w.tbl === 'posts').map((w) => w.id),
        touched.filter((w) => w.tbl === 'user').map((w) => w.id),
      ]));
      await c.query(sql('before_contract.sql'));
    });

    // 3. The contract, then its down, while the new app keeps reading its feed. The old app is
    // gone by now: it reads the columns the contract drops.
    const t2 = newTraffic('before contract');
    t2.transitionReady = true;
    const readers: Client[] = [];
    for (let i = 0; i < o.readers; i++) readers.push([`reader ${i}`, 'new-app read', reader(fx, t2, rng(r() * 2 ** 32), false)]);
    o.log(`== contract and its down under ${o.readers} new-app readers`);
    const p2 = await underTraffic(url, t2, o, readers, 'after the down', async (setStep) => {
      await migrate(url, { direction: 'up', log: onLog(setStep) });
      setStep('checks after the contract');
      for (const name of ['image_ids_resolve', 'constraints_valid']) checks.push(await invariant(url, name, 'after the contract', 'contracted'));
      await migrate(url, { direction: 'down', count: contracts, log: onLog(setStep) });
    });
    steps.push(...stepStats(p2.timeline, p2.end, t2, budget));
    if (p2.error) throw p2.error;
    checks.push(await withClient(url, (c) => violations(c, 'roundtrip_since_contract', 'after the contract\'s down', sql('roundtrip_since_contract.sql'), [])));
  } catch (e) {
    error = describeError(e);
  } finally {
    for (const t of all) t.stopped = true;
  }

  const samples = all.flatMap((t) => t.samples);
  const errors = all.flatMap((t) => t.errors);
  const longest = (xs: Sample[]) => xs.reduce((m, s) => (s.ms > m.ms ? s : m), { ms: 0, step: '-' } as Pick<Sample, 'ms' | 'step'>);
  const worst = longest(samples);
  const worstBudgeted = longest(samples.filter((s) => budget(s.step) !== null));
  const touched = all[0] ? [...all[0].writes.values()] : [];
  return {
    ok: !error && errors.length === 0 && steps.every((s) => s.ok) && checks.every((c) => c.ok),
    error,
    posts,
    steps,
    statements: samples.length,
    maxAppMs: round1(worst.ms),
    maxAppStep: worst.step,
    maxBudgetedMs: round1(worstBudgeted.ms),
    maxBudgetedStep: worstBudgeted.step,
    errors: errors.length,
    errorExamples: errors.slice(0, 10),
    touched: { posts: touched.filter((w) => w.tbl === 'posts').length, user: touched.filter((w) => w.tbl === 'user').length },
    noopClears: all[0]?.noopClears ?? 0,
    checks,
    ms: Math.round(performance.now() - started),
  };
}

function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) => r.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatOnlineReport(r: OnlineReport): string {
  const kinds: Kind[] = ['old-app write', 'new-app write', 'old-app read', 'new-app read'];
  const out = [
    `App latency per step (${r.posts} posts; each statement tagged with the step running when it started)`,
    table(
      ['step', 'step ms', 'old w', 'new w', 'old r', 'new r', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'budget', 'result'],
      r.steps.map((s) => [s.step, s.ms, ...kinds.map((k) => s.byKind[k] ?? 0), s.errors, s.p50, s.p99, s.max, s.budgetMs ?? 'n/a', s.ok ? 'pass' : 'FAIL']),
    ),
    '',
    'Checks',
    table(['check', 'when', 'result', 'violations', 'ms'], r.checks.map((c) => [c.name, c.when, c.ok ? 'pass' : 'FAIL', c.violations, c.ms])),
  ];
  for (const c of r.checks.filter((x) => !x.ok)) out.push(`  ${c.name}: ${c.examples.map((e) => `${e.tbl} ${e.row_id ?? ''}: ${e.detail}`).join('; ')}`);
  for (const e of r.errorExamples) out.push(`  app error in ${e.step} (${e.kind}): ${e.code ?? ''} ${e.message}`);
  out.push(
    '',
    `${r.statements} app statements, ${r.errors} failed; longest app statement ${r.maxBudgetedMs} ms (${r.maxBudgetedStep}; budget ${APP_BUDGET_MS} ms)` +
      (r.maxAppMs > r.maxBudgetedMs ? `, ${r.maxAppMs} ms counting the contract's downs (${r.maxAppStep})` : '') +
      `;\nwriters touched ${r.touched.posts} posts and ${r.touched.user} users (${r.noopClears} new-app clears found no image to clear); ${(r.ms / 1000).toFixed(1)} s`,
  );
  if (r.error) out.push(`verify-online could not finish: ${r.error}`);
  out.push(r.ok ? 'verify-online passed' : 'verify-online FAILED');
  return out.join('\n');
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

async function main(): Promise<number> {
  const log = (line: string) => process.stderr.write(line + '\n');
  const env = process.env;
  let server: Server | undefined;
  let url: string | undefined;
  let report: OnlineReport | undefined;
  let error: string | undefined;
  try {
    const seedOptions = seedOptionsFromEnv(env);
    const posts = seedOptions.posts ?? 200_000;
    const opts = {
      writers: intEnv(env, 'ONLINE_WRITERS', DEFAULT_ONLINE_OPTIONS.writers) || 1,
      readers: intEnv(env, 'ONLINE_READERS', DEFAULT_ONLINE_OPTIONS.readers) || 1,
      thinkMs: intEnv(env, 'ONLINE_THINK_MS', DEFAULT_ONLINE_OPTIONS.thinkMs),
    };
    server = await startServer(env);
    log(`== ${server.kind} PostgreSQL ${server.version}`);
    url = await server.createDatabase('imgref_online');
    const dbUrl = url;
    await loadBaseline(dbUrl);
    log(`== seed ${posts} posts`);
    await withClient(dbUrl, (c) => seed(c, { ...seedOptions, posts, onProgress: progressReporter('seed') }));
    report = await runOnline(dbUrl, { ...opts, log });
  } catch (e) {
    error = describeError(e);
  } finally {
    if (server && url) await server.dropDatabase(url).catch((e) => log(`warning: could not drop ${url}: ${describeError(e)}`));
    await server?.stop().catch(() => {});
  }
  if (!report) {
    console.log(`verify-online could not run: ${error}`);
    return 2;
  }
  console.log('\n' + formatOnlineReport(report));
  fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'reports/online.json'), JSON.stringify(report, null, 2) + '\n');
  console.log('report: reports/online.json');
  // A migration that fails under traffic is a failed check (1), not a run that could not start.
  return report.ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await main());
