// make verify-online: the whole pack, every up and then every down, under live traffic. On a
// seeded database these clients run throughout, each statement timed and tagged with the
// migration step running when it started:
// - old-app writers (image_key, "user".image) and new-app writers (image_id, once the sync
//   triggers exist), each owning its rows, so each row's last write is known;
// - feed readers (the old app's feed by image_key, the new app's by image_id);
// - read-then-write clients: BEGIN; SELECT … WHERE id = $1; UPDATE … WHERE id = $1; COMMIT, on
//   posts and on "user" (the shape that deadlocks with a lock upgrade, issue 12 case 6);
// - storage clients: deletes of referenced uploads (ON DELETE SET NULL cascades into posts and
//   "user") and new uploads, each at a bounded rate.
// Which app version runs follows a real deploy: both until the contract; only the new app
// through the contracts and their downs; both again once the old columns are back; only the old
// app from 05's down (the triggers go) to the end.
// After each phase, with the clients stopped: every touched row holds its last write
// (sql/online/writes_applied.sql), every other row is as before with the rule's image_id, or
// image_id NULL where its storage row was deleted (sql/online/untouched_rows_intact.sql), and the
// transition invariants hold. After the full down: the old columns hold what the old app would
// hold (sql/online/final_state.sql) and the schema is the baseline again.
// Every step of the pack is held to APP_BUDGET_MS (ONLINE_BUDGET_MS) per app statement, and
// every step and phase to 0 deadlocks (40P01) and 0 failed statements: PASS or MISS per step.
//
//   npx tsx harness/online.ts                 # 200k posts (SCALE=50k for a quick run)
//
// Environment: SCALE and SEED_* (the seeder's), PG_VERSION, DATABASE_URL (a scratch database is
// made on that server), ONLINE_BUDGET_MS, ONLINE_WRITERS (per app version), ONLINE_READERS,
// ONLINE_RTW_CLIENTS, ONLINE_STORAGE_CLIENTS, ONLINE_DELETES_PER_S / ONLINE_UPLOADS_PER_S (all
// storage clients together), ONLINE_THINK_MS, ONLINE_PHASES (1: stop after the ups to the contract,
// for sizes where the whole run would take hours), BACKFILL_*: parsed by lib/settings.ts, defaults in
// the README's settings table.
// Prints a latency table per migration step and writes reports/online.json.
// Exit code: 0 all passed, 1 a check failed or a step missed its budget, 2 could not run.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { migrate, migrationNames } from '../lib/migrate.ts';
import { firstOf } from '../lib/plan.ts';
import { checkInvariant, snapshot, violations as countViolations } from './invariants.ts';
import { describeError } from '../lib/errors.ts';
import { withClient } from '../lib/db.ts';
import { ROOT, sqlText } from '../lib/sql.ts';
import { loadBaseline, startServer, type Server } from '../lib/target.ts';
import { seed, seedOptionsFromEnv } from '../lib/seed/seed.ts';
import { progressReporter } from '../lib/progress.ts';
import { formatTable } from '../lib/table.ts';
import { Rng, percentile } from '../lib/random.ts';
import { DEFAULT_POSTS, intSetting, KNOBS, onlineSettings, type Env } from '../lib/settings.ts';

/**
 * No app statement may wait longer than this in any step, the downs included (issue 12 case 7:
 * at 1M posts). A statement that waits longer waited behind the pack.
 */
export const APP_BUDGET_MS = KNOBS.ONLINE_BUDGET_MS.default;

/** ONLINE_BUDGET_MS overrides APP_BUDGET_MS (a shared CI machine); the issue's target is APP_BUDGET_MS. */
export const appBudgetMs = (): number => intSetting('ONLINE_BUDGET_MS');

/** A migration step (up or down), as opposed to a phase of app traffic between steps. */
const PACK_STEP = /^(down )?\d\d_/;

/** SQLSTATE deadlock_detected. */
const DEADLOCK = '40P01';

export type Kind =
  | 'old-app write'
  | 'new-app write'
  | 'old-app read'
  | 'new-app read'
  | 'read-then-write'
  | 'plain insert'
  | 'storage delete'
  | 'upload'
  /** SELECT 1, no table: machine noise, not held to the budget */
  | 'control';

export const KINDS: Kind[] = ['old-app write', 'new-app write', 'old-app read', 'new-app read', 'read-then-write', 'plain insert', 'storage delete', 'upload', 'control'];

type Client = [name: string, role: Kind, next: (c: pg.Client) => Promise<Work>];

export interface OnlineOptions {
  /** writer clients per app version (old, new) */
  writers: number;
  readers: number;
  /** clients running read-then-write transactions */
  rtwClients: number;
  /** clients deleting referenced storage rows and uploading new ones */
  storageClients: number;
  /** deletes per second, all storage clients together */
  deletesPerS: number;
  /** uploads per second, all storage clients together */
  uploadsPerS: number;
  /** pause between one client's statements */
  thinkMs: number;
  /**
   * The phases to run, in order, of PHASES (ONLINE_PHASES): 1 stops once the ups to the contract
   * have run and been checked (at 10M posts the whole pack under traffic takes hours here).
   */
  phases: number;
  /** traffic before the first and after the last migration of each phase, as a baseline */
  warmupMs: number;
  /** a safety net well above any lock timeout: a hang shows as a failure, not a stuck run */
  statementTimeoutMs: number;
  /** rows each writer owns (writers never share a row, so each row's last write is known) */
  rowsPerWriter: number;
  seed: number;
  log: (line: string) => void;
}

export const DEFAULT_ONLINE_OPTIONS: Omit<OnlineOptions, 'log'> = {
  ...onlineOptionsFromEnv({}),
  warmupMs: 1000,
  statementTimeoutMs: 15_000,
  rowsPerWriter: 300,
  seed: 7,
};

/** Rows each read-then-write client owns: app transactions never wait on each other's rows. */
const RTW_ROWS = 50;
/** The deleters' pool: enough for deletesPerS over this long a run. */
const DELETE_POOL_SECONDS = 900;

export interface StepStats {
  step: string;
  ms: number;
  /** app statements (the control probe is not one) */
  statements: number;
  /** per kind of app statement: how many, and the longest (ms) */
  byKind: Partial<Record<Kind, { n: number; max: number }>>;
  /** failed app statements */
  errors: number;
  /** of those, deadlocks (40P01) */
  deadlocks: number;
  /** over the app statements */
  p50: number;
  p99: number;
  max: number;
  /** null: a phase between steps, reported only */
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
  /** the step running when it failed */
  errorStep?: string;
  posts: number;
  steps: StepStats[];
  statements: number;
  /** the longest any app statement took, in any step, and that step */
  maxAppMs: number;
  maxAppStep: string;
  errors: number;
  deadlocks: number;
  /** the first few app errors */
  errorExamples: AppError[];
  touched: { posts: number; user: number };
  /** storage rows the deleters removed, and uploads made */
  deleted: number;
  uploaded: number;
  /** new-app clears that matched no row: the image was not shown (image_id still NULL) */
  noopClears: number;
  checks: CheckResult[];
  /** the phases that ran, of PHASES (fewer when ONLINE_PHASES says so or a phase failed) */
  phasesRun: number;
  ms: number;
}

interface Sample { step: string; kind: Kind; ms: number; failed: boolean }

/** A column write a client made; the last successful one per row is what the row must hold. */
interface Write { tbl: 'posts' | 'user'; id: string; col: string; value: string | null }

/** What one run's clients share, across its phases. */
interface Traffic {
  step: string;
  stopped: boolean;
  transitionReady: boolean;
  samples: Sample[];
  errors: AppError[];
  writes: Map<string, Write>;
  deleted: Set<string>;
  uploaded: number;
  noopClears: number;
  /** units of work (a statement or a transaction) done, and failed */
  done: number;
  failed: number;
  /** for ids unique over the whole run */
  seq: number;
  /** next row of Fixtures.deletable */
  deleteCursor: number;
}

interface Statement {
  file: string;
  values: unknown[];
  kind: Kind;
  /** called after the statement (or its transaction) committed, with its row count */
  after?: (rowCount: number) => void;
}

/** One statement, one transaction of several (BEGIN … COMMIT), or nothing this time. */
type Work = Statement | Statement[] | null;

interface Fixtures {
  orgs: string[];
  posts: { id: string; organization_id: string; user_id: string }[];
  users: string[];
  rtwPosts: string[];
  rtwUsers: string[];
  storageByOrg: Map<string | null, { id: string; file_key: string }[]>;
  storage: { id: string; organization_id: string | null; file_key: string }[];
  /** referenced storage rows the deleters may remove (sql/online/deletable_storage.sql) */
  deletable: string[];
}

const SQL = new Map<string, string>();
const sql = (file: string) => {
  if (!SQL.has(file)) SQL.set(file, sqlText(`online/${file}`));
  return SQL.get(file)!;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each client's choices are reproducible from the run's seed. */
function rng(seed: number): () => number {
  const g = new Rng(seed, 'online');
  return () => g.float();
}
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)];

function newTraffic(step: string): Traffic {
  return {
    step, stopped: false, transitionReady: false, samples: [], errors: [], writes: new Map(), deleted: new Set(),
    uploaded: 0, noopClears: 0, done: 0, failed: 0, seq: 0, deleteCursor: 0,
  };
}

/**
 * The rows each client works on. Needs verify.expected_* (snapshot()) for the deleters' pool;
 * with deletesPerS 0 it is not read.
 */
async function loadFixtures(url: string, o: OnlineOptions): Promise<Fixtures> {
  return withClient(url, async (c) => {
    const writerPosts = o.rowsPerWriter * o.writers * 2;
    const writerUsers = Math.ceil(o.rowsPerWriter / 4) * o.writers * 2;
    const orgs = (await c.query(sql('organizations.sql'))).rows.map((r) => r.id as string);
    const allPosts = (await c.query(sql('sample_posts.sql'), [writerPosts + RTW_ROWS * o.rtwClients])).rows;
    const allUsers = (await c.query(sql('sample_users.sql'), [writerUsers + RTW_ROWS * o.rtwClients])).rows.map((r) => r.id as string);
    const storage = (await c.query(sql('sample_storage.sql'), [5000])).rows;
    const posts = allPosts.slice(0, writerPosts);
    const users = allUsers.slice(0, writerUsers);
    const storageByOrg = new Map<string | null, { id: string; file_key: string }[]>();
    for (const s of storage) {
      if (!storageByOrg.has(s.organization_id)) storageByOrg.set(s.organization_id, []);
      storageByOrg.get(s.organization_id)!.push(s);
    }
    if (!posts.length || !users.length || !storage.length) throw new Error('verify-online needs a seeded database: no posts, users or storage rows');
    const deletable = o.deletesPerS > 0 && o.storageClients > 0
      ? (await c.query(sql('deletable_storage.sql'), [storage.map((s) => s.id), posts.map((p) => p.id), users, o.deletesPerS * DELETE_POOL_SECONDS])).rows.map((r) => r.id as string)
      : [];
    return {
      orgs, posts, users, storageByOrg, storage, deletable,
      rtwPosts: allPosts.slice(writerPosts).map((p) => p.id as string),
      rtwUsers: allUsers.slice(writerUsers),
    };
  });
}

const codeOf = (e: unknown) => (e as { code?: string }).code;

/** Runs one statement; a sample either way. Returns whether it succeeded, and its row count. */
async function runStatement(c: pg.Client, t: Traffic, st: Statement): Promise<number | null> {
  const step = t.step;
  const t0 = performance.now();
  try {
    // Named: prepared once per connection, as the app's driver would.
    const res = await c.query({ name: st.file, text: sql(st.file), values: st.values });
    t.samples.push({ step, kind: st.kind, ms: performance.now() - t0, failed: false });
    return res.rowCount ?? 0;
  } catch (e) {
    t.samples.push({ step, kind: st.kind, ms: performance.now() - t0, failed: true });
    t.errors.push({ step, kind: st.kind, code: codeOf(e), message: describeError(e) });
    return null;
  }
}

/** BEGIN, each statement, COMMIT; on the first failure ROLLBACK. The afters run once committed. */
async function runTransaction(c: pg.Client, t: Traffic, sts: Statement[]): Promise<boolean> {
  const counts: number[] = [];
  try {
    await c.query('BEGIN');
    for (const st of sts) {
      const n = await runStatement(c, t, st);
      if (n === null) {
        await c.query('ROLLBACK');
        return false;
      }
      counts.push(n);
    }
    await c.query('COMMIT');
  } catch (e) {
    // BEGIN, COMMIT or ROLLBACK failed: a failed statement of this transaction like any other.
    t.errors.push({ step: t.step, kind: sts[0].kind, code: codeOf(e), message: describeError(e) });
    await c.query('ROLLBACK').catch(() => {});
    return false;
  }
  sts.forEach((st, i) => st.after?.(counts[i]));
  return true;
}

/** Runs one client until traffic.stopped; every statement is timed and tagged with the step it started in. */
async function runClient(url: string, name: string, t: Traffic, o: Pick<OnlineOptions, 'statementTimeoutMs' | 'thinkMs'>, role: Kind, next: (c: pg.Client) => Promise<Work>): Promise<void> {
  const c = new pg.Client({ connectionString: url, statement_timeout: o.statementTimeoutMs, application_name: `online ${name}` });
  c.on('error', () => {});
  await c.connect();
  try {
    while (!t.stopped) {
      let work: Work = null;
      try {
        work = await next(c);
      } catch (e) {
        // The new app's switch (transition_ready.sql) failed: an app error like any other.
        t.errors.push({ step: t.step, kind: role, code: codeOf(e), message: describeError(e) });
      }
      if (work) {
        const ok = Array.isArray(work) ? await runTransaction(c, t, work) : await runStatement(c, t, work).then((n) => (n === null ? false : (work.after?.(n), true)));
        t.done++;
        if (!ok) t.failed++;
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

const remember = (t: Traffic, write: Write) => () => void t.writes.set(`${write.tbl}:${write.id}`, write);

function oldWriter(fx: Fixtures, t: Traffic, w: number, n: number, r: () => number) {
  const posts = share(fx.posts, w, n);
  const users = share(fx.users, w, n);
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
      return { file: 'old_update_post.sql', values: [p.id, key], kind: 'old-app write', after: remember(t, { tbl: 'posts', id: p.id, col: 'image_key', value: key }) };
    }
    if (x < 0.8) {
      const p = pick(r, posts);
      const id = `online-old${w}-${++t.seq}`;
      const key = keyFor(p.organization_id);
      return { file: 'old_insert_post.sql', values: [id, p.organization_id, p.user_id, 'posted by the old app', key], kind: 'old-app write', after: remember(t, { tbl: 'posts', id, col: 'image_key', value: key }) };
    }
    const u = pick(r, users);
    const y = r();
    // A storage key (avatar or org upload: users map in any organization), an OAuth URL, or NULL.
    const image = y < 0.4 ? pick(r, fx.storage).file_key : y < 0.7 ? `https://lh3.googleusercontent.com/a/online-${Math.floor(r() * 1e6)}` : null;
    return { file: 'old_update_user.sql', values: [u, image], kind: 'old-app write', after: remember(t, { tbl: 'user', id: u, col: 'image', value: image }) };
  };
}

function newWriter(fx: Fixtures, t: Traffic, w: number, n: number, r: () => number) {
  const posts = share(fx.posts, w, n);
  const users = share(fx.users, w, n);
  const idFor = (org: string): string | null => {
    const own = fx.storageByOrg.get(org) ?? [];
    return r() < 0.7 && own.length ? pick(r, own).id : null;
  };
  // A clear may match no row (an image the new app does not show yet): then it wrote nothing.
  const clear = (write: Write) => (rows: number) => (rows === 0 ? void t.noopClears++ : remember(t, write)());
  return async (c: pg.Client): Promise<Work> => {
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
        ? { file: 'new_clear_post.sql', values: [p.id], kind: 'new-app write', after: clear(write) }
        : { file: 'new_update_post.sql', values: [p.id, id], kind: 'new-app write', after: remember(t, write) };
    }
    if (x < 0.8) {
      const p = pick(r, posts);
      const postId = `online-new${w}-${++t.seq}`;
      const id = idFor(p.organization_id);
      return { file: 'new_insert_post.sql', values: [postId, p.organization_id, p.user_id, 'posted by the new app', id], kind: 'new-app write', after: remember(t, { tbl: 'posts', id: postId, col: 'image_id', value: id }) };
    }
    const u = pick(r, users);
    const id = r() < 0.6 ? pick(r, fx.storage).id : null;
    const write: Write = { tbl: 'user', id: u, col: 'image_id', value: id };
    return id === null
      ? { file: 'new_clear_user.sql', values: [u], kind: 'new-app write', after: clear(write) }
      : { file: 'new_update_user.sql', values: [u, id], kind: 'new-app write', after: remember(t, write) };
  };
}

/**
 * Feed readers. 'both': the old app's feed, alternating with the new app's once it is live;
 * 'new': the new app's once it is live; 'old': the old app's only.
 */
function reader(fx: Fixtures, t: Traffic, r: () => number, mode: 'old' | 'new' | 'both') {
  let i = 0;
  return async (): Promise<Statement> => {
    const org = pick(r, fx.orgs);
    const useNew = mode !== 'old' && t.transitionReady && (mode === 'new' || i++ % 2 === 1);
    return useNew
      ? { file: 'feed_probe.sql', values: [org], kind: 'new-app read' }
      : { file: 'feed_probe_old.sql', values: [org], kind: 'old-app read' };
  };
}

/** BEGIN; SELECT the row; UPDATE it; COMMIT: on posts three times in four, else on "user". */
function readThenWrite(posts: string[], users: string[], r: () => number) {
  let n = 0;
  return async (): Promise<Work> => {
    n++;
    if (r() < 0.75 || !users.length) {
      const id = pick(r, posts);
      return [
        { file: 'rtw_select_post.sql', values: [id], kind: 'read-then-write' },
        { file: 'rtw_update_post.sql', values: [id, `edited ${n}`], kind: 'read-then-write' },
      ];
    }
    const id = pick(r, users);
    return [
      { file: 'rtw_select_user.sql', values: [id], kind: 'read-then-write' },
      { file: 'rtw_update_user.sql', values: [id, `Renamed ${n}`], kind: 'read-then-write' },
    ];
  };
}

/** Every 20 ms: a statement no lock can hold up (sql/online/control_probe.sql). */
async function controlProbe(): Promise<Statement> {
  await sleep(18);
  return { file: 'control_probe.sql', values: [], kind: 'control' };
}

/**
 * One storage client of n: deletes (the next row of the deleters' pool) and uploads, each paced
 * to its share of the rate. A client that fell behind (its statement waited) does not burst.
 */
function storageClient(fx: Fixtures, t: Traffic, o: OnlineOptions, n: number, r: () => number) {
  const deleteEvery = o.deletesPerS > 0 ? (1000 * n) / o.deletesPerS : Infinity;
  const uploadEvery = o.uploadsPerS > 0 ? (1000 * n) / o.uploadsPerS : Infinity;
  let nextDelete = performance.now() + r() * Math.min(deleteEvery, 1000);
  let nextUpload = performance.now() + r() * Math.min(uploadEvery, 1000);
  return async (): Promise<Work> => {
    const due = Math.min(nextDelete, nextUpload);
    if (!Number.isFinite(due)) {
      await sleep(100);
      return null;
    }
    await sleep(Math.min(100, due - performance.now()));
    const now = performance.now();
    if (now < due) return null;
    if (nextDelete <= nextUpload) {
      nextDelete = Math.max(nextDelete + deleteEvery, now);
      if (t.deleteCursor >= fx.deletable.length) return null; // the pool is spent
      const id = fx.deletable[t.deleteCursor++];
      return { file: 'delete_storage.sql', values: [id], kind: 'storage delete', after: (rows) => void (rows > 0 && t.deleted.add(id)) };
    }
    nextUpload = Math.max(nextUpload + uploadEvery, now);
    const org = pick(r, fx.orgs);
    const id = `online-upload-${++t.seq}`;
    return {
      file: 'upload_storage.sql',
      values: [id, `org/${org}/posts/${id}.jpg`, `${id}.jpg`, 1000 + Math.floor(r() * 1e6), pick(r, fx.users), org],
      kind: 'upload',
      after: () => void t.uploaded++,
    };
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function stepStats(timeline: { step: string; at: number }[], end: number, t: Traffic): StepStats[] {
  return timeline.map(({ step, at }, i) => {
    const all = t.samples.filter((s) => s.step === step);
    const samples = all.filter((s) => s.kind !== 'control');
    const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
    const byKind: StepStats['byKind'] = {};
    for (const s of all) {
      const k = (byKind[s.kind] ??= { n: 0, max: 0 });
      k.n++;
      k.max = Math.max(k.max, round1(s.ms));
    }
    const errors = t.errors.filter((e) => e.step === step && e.kind !== 'control');
    const max = ms.length ? ms[ms.length - 1] : 0;
    return {
      step,
      ms: Math.round((timeline[i + 1]?.at ?? end) - at),
      statements: samples.length,
      byKind,
      errors: errors.length,
      deadlocks: errors.filter((e) => e.code === DEADLOCK).length,
      p50: ms.length ? round1(percentile(ms, 0.5)) : 0,
      p99: ms.length ? round1(percentile(ms, 0.99)) : 0,
      max: round1(max),
      // Only a step of the pack can make the app wait behind the pack; the phases between steps
      // (the app alone) are reported, and still held to 0 failures and 0 deadlocks.
      budgetMs: PACK_STEP.test(step) ? appBudgetMs() : null,
      ok: errors.length === 0 && (!PACK_STEP.test(step) || max <= appBudgetMs()),
    };
  });
}

async function violations(c: pg.Client, name: string, when: string, text: string, params: unknown[]): Promise<CheckResult> {
  const t0 = performance.now();
  const v = await countViolations(c, text, params);
  return { name, when, ok: v.violations === 0, ...v, ms: Math.round(performance.now() - t0) };
}

async function invariant(url: string, name: string, when: string, phase: 'validated' | 'contracted' | 'rolledback'): Promise<CheckResult> {
  const r = await withClient(url, (c) => checkInvariant(c, name, phase));
  return { name, when, ok: r.ok, violations: r.violations, examples: r.examples, ms: r.ms };
}

/** The checks that hold whenever both columns exist, with the clients stopped. */
async function transitionChecks(url: string, t: Traffic, when: string): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const name of ['columns_agree', 'image_ids_resolve', 'constraints_valid']) out.push(await invariant(url, name, when, 'validated'));
  const touched = [...t.writes.values()];
  await withClient(url, async (c) => {
    out.push(await violations(c, 'writes_applied', when, sql('writes_applied.sql'), [JSON.stringify(touched)]));
    out.push(await violations(c, 'untouched_rows_intact', when, sql('untouched_rows_intact.sql'), [
      touched.filter((w) => w.tbl === 'posts').map((w) => w.id),
      touched.filter((w) => w.tbl === 'user').map((w) => w.id),
      [...t.deleted],
    ]));
  });
  return out;
}

/** After the full down: the old columns as the old app would have them, and the baseline schema. */
async function finalChecks(url: string, t: Traffic): Promise<CheckResult[]> {
  const when = 'after the full down';
  const touched = [...t.writes.values()];
  const out = [await withClient(url, (c) => violations(c, 'final_state', when, sql('final_state.sql'), [
    JSON.stringify(touched),
    touched.filter((w) => w.tbl === 'posts').map((w) => w.id),
    touched.filter((w) => w.tbl === 'user').map((w) => w.id),
    [...t.deleted],
  ]))];
  out.push(await invariant(url, 'schema_restored', when, 'rolledback'));
  return out;
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
  steps: { first: string; last: string },
  fn: (setStep: (s: string) => void) => Promise<void>,
): Promise<{ timeline: { step: string; at: number }[]; end: number; error?: unknown }> {
  t.stopped = false;
  t.step = steps.first;
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
    setStep(steps.last);
    await sleep(o.warmupMs);
  } catch (e) {
    error = e;
  } finally {
    t.stopped = true;
    await Promise.all(running);
  }
  return { timeline, end: performance.now(), error };
}

/** Which app versions run in a phase (see the header: they follow a real deploy). */
interface Apps { oldWriters: boolean; newWriters: boolean; readers: 'old' | 'new' | 'both' }

function clientsFor(fx: Fixtures, t: Traffic, o: OnlineOptions, r: () => number, apps: Apps): Client[] {
  const clients: Client[] = [];
  const n = o.writers * 2;
  const seed = () => rng(r() * 2 ** 32);
  if (apps.oldWriters) for (let w = 0; w < o.writers; w++) clients.push([`old writer ${w}`, 'old-app write', oldWriter(fx, t, w, n, seed())]);
  if (apps.newWriters) for (let w = 0; w < o.writers; w++) clients.push([`new writer ${w}`, 'new-app write', newWriter(fx, t, o.writers + w, n, seed())]);
  for (let i = 0; i < o.readers; i++) {
    const mode = apps.readers === 'both' ? (i % 2 === 0 ? 'both' : 'new') : apps.readers;
    clients.push([`reader ${i}`, 'old-app read', reader(fx, t, seed(), mode)]);
  }
  for (let i = 0; i < o.rtwClients; i++) {
    clients.push([`read-then-write ${i}`, 'read-then-write', readThenWrite(share(fx.rtwPosts, i, o.rtwClients), share(fx.rtwUsers, i, o.rtwClients), seed())]);
  }
  for (let i = 0; i < o.storageClients; i++) clients.push([`storage ${i}`, 'storage delete', storageClient(fx, t, o, o.storageClients, seed())]);
  clients.push(['control', 'control', controlProbe]);
  return clients;
}

interface Phase {
  label: string;
  apps: Apps;
  first: string;
  last: string;
  run: (setStep: (s: string) => void, log: (line: string) => void) => Promise<void>;
  /** the checks once its clients have stopped */
  after: () => Promise<CheckResult[]>;
}

/** The phases of phases() below: the whole pack, up and down. */
export const PHASES = 4;

/** The pack's life in four phases, each under the app versions that would be deployed then. */
function phases(url: string, t: Traffic, checks: CheckResult[]): Phase[] {
  const names = migrationNames();
  const firstContract = firstOf('contract');
  const triggers = firstOf('transition');
  const up = (count?: number) => (_: unknown, log: (line: string) => void) => migrate(url, { direction: 'up', count, log }).then(() => {});
  const down = (count?: number) => (_: unknown, log: (line: string) => void) => migrate(url, { direction: 'down', count, log }).then(() => {});
  return [
    { label: `expand, transition, backfill, validate: up ${firstContract}`, apps: { oldWriters: true, newWriters: true, readers: 'both' },
      first: 'before', last: 'writers stop before the contract', run: up(firstContract), after: () => transitionChecks(url, t, 'before the contract') },
    {
      label: 'the contracts and their downs, new app only', apps: { oldWriters: false, newWriters: true, readers: 'new' },
      first: 'before the contract', last: 'after the contracts\' downs',
      run: async (setStep, log) => {
        await up()(setStep, log);
        setStep('checks after the contract');
        for (const name of ['image_ids_resolve', 'constraints_valid']) checks.push(await invariant(url, name, 'after the contract', 'contracted'));
        await down(names.length - firstContract)(setStep, log);
      },
      after: () => transitionChecks(url, t, 'after the contracts\' downs'),
    },
    { label: `down to the triggers: down ${firstContract - triggers - 1}, both apps`, apps: { oldWriters: true, newWriters: true, readers: 'both' },
      first: 'old app back', last: 'new app stops', run: down(firstContract - triggers - 1), after: async () => [] },
    { label: 'the rest of the down, old app only', apps: { oldWriters: true, newWriters: false, readers: 'old' },
      first: 'new app gone', last: 'after the full down', run: down(), after: () => finalChecks(url, t) },
  ];
}

/**
 * Runs the whole pack, up and then down, on url (a seeded database at the baseline, not yet
 * migrated) under live traffic. Never throws for a failed check: see report.ok.
 */
export async function runOnline(url: string, opts: Partial<OnlineOptions> = {}): Promise<OnlineReport> {
  const o: OnlineOptions = { ...DEFAULT_ONLINE_OPTIONS, log: () => {}, ...opts };
  const started = performance.now();
  const checks: CheckResult[] = [];
  const steps: StepStats[] = [];
  const t = newTraffic('before');
  let error: string | undefined;
  let errorStep: string | undefined;
  let posts = 0;
  let phasesRun = 0;
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
    // The original values and the rule's answer for each, for the rows no writer will touch.
    await withClient(url, snapshot);
    const fx = await loadFixtures(url, o);
    const r = rng(o.seed);
    o.log(`== clients: ${o.writers} old-app and ${o.writers} new-app writers, ${o.readers} readers, ${o.rtwClients} read-then-write, ` +
      `${o.storageClients} storage (${o.deletesPerS} deletes/s of ${fx.deletable.length} referenced rows, ${o.uploadsPerS} uploads/s)`);
    for (const p of phases(url, t, checks).slice(0, o.phases)) {
      o.log(`== phase: ${p.label}`);
      const res = await underTraffic(url, t, o, clientsFor(fx, t, o, r, p.apps), p, (setStep) => p.run(setStep, onLog(setStep)));
      steps.push(...stepStats(res.timeline, res.end, t));
      if (res.error) {
        errorStep = t.step;
        throw res.error;
      }
      checks.push(...(await p.after()));
      phasesRun++;
    }
  } catch (e) {
    error = describeError(e);
  } finally {
    t.stopped = true;
  }
  return summarize(t, { error, errorStep, posts, steps, checks, phasesRun, ms: Math.round(performance.now() - started) });
}

function summarize(t: Traffic, r: Pick<OnlineReport, 'error' | 'errorStep' | 'posts' | 'steps' | 'checks' | 'phasesRun' | 'ms'>): OnlineReport {
  const app = t.samples.filter((s) => s.kind !== 'control');
  const worst = app.reduce((m, s) => (s.ms > m.ms ? s : m), { ms: 0, step: '-' } as Pick<Sample, 'ms' | 'step'>);
  const touched = [...t.writes.values()];
  return {
    ok: !r.error && t.errors.length === 0 && r.steps.every((s) => s.ok) && r.checks.every((c) => c.ok),
    error: r.error,
    errorStep: r.errorStep,
    posts: r.posts,
    steps: r.steps,
    statements: app.length,
    maxAppMs: round1(worst.ms),
    maxAppStep: worst.step,
    errors: t.errors.length,
    deadlocks: t.errors.filter((e) => e.code === DEADLOCK).length,
    errorExamples: t.errors.slice(0, 10),
    touched: { posts: touched.filter((w) => w.tbl === 'posts').length, user: touched.filter((w) => w.tbl === 'user').length },
    deleted: t.deleted.size,
    uploaded: t.uploaded,
    noopClears: t.noopClears,
    checks: r.checks,
    phasesRun: r.phasesRun,
    ms: r.ms,
  };
}

const table = (head: string[], rows: (string | number)[][]): string => formatTable(rows, { head });

const SHORT: Record<Kind, string> = {
  'old-app write': 'old w', 'new-app write': 'new w', 'old-app read': 'old r', 'new-app read': 'new r',
  'read-then-write': 'rtw', 'plain insert': 'insert', 'storage delete': 'delete', 'upload': 'upload', 'control': 'control',
};

export function formatOnlineReport(r: OnlineReport): string {
  const kinds = KINDS.filter((k) => r.steps.some((s) => s.byKind[k]));
  const out = [
    `App statements per step (${r.posts} posts; each tagged with the step running when it started; longest wait per kind in ms; budget ${appBudgetMs()} ms in every step of the pack, 0 deadlocks, 0 failed everywhere).`,
    'control: SELECT 1 every 20 ms, no table, not held to the budget; when it is slow too, the machine was busy in that step.',
    table(
      ['step', 'step ms', 'stmts', ...kinds.map((k) => `${SHORT[k]} max`), 'p50', 'p99', 'max', 'deadlocks', 'failed', 'result'],
      r.steps.map((s) => [s.step, s.ms, s.statements, ...kinds.map((k) => s.byKind[k]?.max ?? '-'), s.p50, s.p99, s.max, s.deadlocks, s.errors, s.ok ? 'PASS' : 'MISS']),
    ),
    '',
    r.checks.length
      ? 'Checks\n' + table(['check', 'when', 'result', 'violations', 'ms'], r.checks.map((c) => [c.name, c.when, c.ok ? 'pass' : 'FAIL', c.violations, c.ms]))
      : 'Checks: none ran (the pack stopped before the end of its first phase)',
  ];
  for (const c of r.checks.filter((x) => !x.ok)) out.push(`  ${c.name}: ${c.examples.map((e) => `${e.tbl} ${e.row_id ?? ''}: ${e.detail}`).join('; ')}`);
  for (const e of r.errorExamples) out.push(`  app error in ${e.step} (${e.kind}): ${e.code ?? ''} ${e.message}`);
  const missed = r.steps.filter((s) => !s.ok).map((s) => s.step);
  out.push(
    '',
    `${r.statements} app statements, ${r.errors} failed (${r.deadlocks} deadlocks); longest ${r.maxAppMs} ms (${r.maxAppStep}; budget ${appBudgetMs()} ms)` +
      (missed.length ? `; steps that missed: ${missed.join(', ')}` : '') +
      `;\nwriters touched ${r.touched.posts} posts and ${r.touched.user} users (${r.noopClears} new-app clears found no image to clear); ` +
      `${r.deleted} referenced storage rows deleted, ${r.uploaded} uploads; ${(r.ms / 1000).toFixed(1)} s`,
  );
  if (r.error) out.push(`verify-online could not finish: the pack failed in ${r.errorStep ?? 'an unknown step'}: ${r.error}`);
  const partial = !r.error && r.phasesRun < PHASES;
  if (partial) out.push(`ONLINE_PHASES=${r.phasesRun}: phases 1 to ${r.phasesRun} of ${PHASES} ran; the steps after them (the contracts and every down) did not`);
  out.push(r.ok ? `verify-online passed${partial ? ` (phases 1 to ${r.phasesRun} of ${PHASES} only)` : ''}` : 'verify-online FAILED');
  return out.join('\n');
}

export interface LockLoadResult {
  /** transactions and single statements done, and failed */
  done: number;
  failed: number;
  deadlocks: number;
  steps: StepStats[];
  errors: AppError[];
}

export interface LockLoad {
  /** tag what follows with this step */
  setStep: (step: string) => void;
  stop: () => Promise<LockLoadResult>;
}

/**
 * The app load of issue 12 case 6, as pgbench -c8 would run it: each client, with no pause, runs
 * a read-then-write transaction on posts or "user" (two times in three) or a plain INSERT INTO
 * posts. Each client owns its rows, so app transactions never wait on each other's.
 */
export async function startLockOrderLoad(url: string, opts: { clients?: number; statementTimeoutMs?: number; seed?: number } = {}): Promise<LockLoad> {
  const n = opts.clients ?? 8;
  const { posts, users } = await withClient(url, async (c) => ({
    posts: (await c.query(sql('sample_posts.sql'), [RTW_ROWS * n])).rows as { id: string; organization_id: string; user_id: string }[],
    users: (await c.query(sql('sample_users.sql'), [RTW_ROWS * n])).rows.map((r) => r.id as string),
  }));
  if (!posts.length || !users.length) throw new Error('the lock-order load needs posts and users');
  const t = newTraffic('before');
  const timeline = [{ step: t.step, at: performance.now() }];
  const r = rng(opts.seed ?? 11);
  const o = { statementTimeoutMs: opts.statementTimeoutMs ?? 30_000, thinkMs: 0 };
  const running = Array.from({ length: n }, (_, i) => {
    const cr = rng(r() * 2 ** 32);
    const mine = share(posts, i, n);
    const rtw = readThenWrite(mine.map((p) => p.id), share(users, i, n), cr);
    return runClient(url, `pgbench ${i}`, t, o, 'read-then-write', async () => {
      if (cr() < 2 / 3) return rtw();
      const p = pick(cr, mine);
      return { file: 'app_insert_post.sql', values: [`lock-${i}-${++t.seq}`, p.organization_id, p.user_id, 'a plain insert'], kind: 'plain insert' };
    });
  });
  return {
    setStep: (step) => {
      t.step = step;
      timeline.push({ step, at: performance.now() });
    },
    stop: async () => {
      t.stopped = true;
      await Promise.all(running);
      return { done: t.done, failed: t.failed, deadlocks: t.errors.filter((e) => e.code === DEADLOCK).length, steps: stepStats(timeline, performance.now(), t), errors: t.errors };
    },
  };
}

/** The ONLINE_* knobs (lib/settings.ts). */
export function onlineOptionsFromEnv(env: Env) {
  const { budgetMs: _, ...opts } = onlineSettings(env);
  return opts;
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
    const posts = seedOptions.posts ?? DEFAULT_POSTS.online;
    const opts = onlineOptionsFromEnv(env);
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
