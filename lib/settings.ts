// Every environment knob of the project, parsed here and nowhere else: one integer parser, one
// bad-input error, one set of exit codes, and each default written once (the KNOBS table, which
// the README's settings table mirrors). The pack's SQL takes its integers from packVars() and
// holds no default of its own; every CLI reads its knobs through the readers below, so `make
// backfill`, migration 06, `make preflight` and `make bench` agree on what a value means.

/** Input the user must fix (a bad knob, a missing DATABASE_URL): one line, exit 2. */
export class BadInput extends Error {
  override name = 'BadInput';
}

/** The exit codes of every CLI: 0 done, 1 a check or the run failed, 2 bad input or cannot start. */
export const EXIT = Object.freeze({ OK: 0, FAILED: 1, BAD_INPUT: 2 } as const);

export type Env = Readonly<Record<string, string | undefined>>;

const set = (raw: string | undefined): raw is string => raw !== undefined && raw.trim() !== '';

/**
 * The one integer parser. Accepts digits with `_` separators, an exponent and a k/m suffix on a
 * whole number (1000, 1_000, 1e6, 200k, 1m); rejects fractions ("2.5k", "0.5"), signs, words and
 * anything outside [min, max], with a message that names the variable.
 */
export function parseInteger(name: string, raw: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const m = /^(\d+)(?:e(\d+))?([km]?)$/.exec(raw.trim().replace(/_/g, '').toLowerCase());
  const n = m ? Number(m[1]) * 10 ** Number(m[2] ?? 0) * (m[3] === 'k' ? 1e3 : m[3] === 'm' ? 1e6 : 1) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new BadInput(`${name} must be a whole number ${range}, got "${raw}"`);
  }
  return n;
}

/** A fraction from 0 to 1 (the seeder's SEED_FRAC_* and SEED_OBJ_FRAC_*). */
export function parseFraction(name: string, raw: string): number {
  const v = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) throw new BadInput(`${name} must be a number from 0 to 1, got "${raw}"`);
  return v;
}

const DAY_MS = 86_400_000;

/** A grace period ('7 days', '12 hours', '30 minutes', '90 s') in ms (AUDIT_GRACE, --grace=). */
export function parseGraceMs(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(d|days?|h|hours?|m|min|minutes?|s|sec|seconds?)\s*$/i.exec(v);
  if (!m) throw new BadInput(`AUDIT_GRACE must look like '7 days', '12 hours' or '30 minutes', got ${JSON.stringify(v)}`);
  const unit = m[2].toLowerCase()[0];
  return Math.round(Number(m[1]) * (unit === 'd' ? DAY_MS : unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : 1000));
}

interface IntKnob { kind: 'int'; default: number; min: number; max?: number; doc: string }
interface TextKnob { kind: 'text'; default: string; doc: string }
interface FlagKnob { kind: 'flag'; default: boolean; doc: string }
type Knob = IntKnob | TextKnob | FlagKnob;

const int = (def: number, min: number, doc: string, max?: number): IntKnob => ({ kind: 'int', default: def, min, max, doc });
const text = (def: string, doc: string): TextKnob => ({ kind: 'text', default: def, doc });
const flag = (def: boolean, doc: string): FlagKnob => ({ kind: 'flag', default: def, doc });

/** Every knob with its one default. `text` knobs with default '' are unset unless given. */
export const KNOBS = {
  // Where: the database and the server the harness starts.
  DATABASE_URL: text('', 'the database to migrate or inspect; for the harness, a server to make scratch databases on instead of the embedded one'),
  MIGRATE_SCHEMA: text('public', "the schema of the app's tables and of pgmigrations (node-pg-migrate's --schema)"),
  PGCONNECT_TIMEOUT: int(10, 0, 'seconds to wait for a connection (0 waits forever)'),
  PG_TARGET: text('', '`container`: PostgreSQL in a container (testcontainers); unset: DATABASE_URL, else embedded'),
  PG_VERSION: int(15, 1, 'the embedded (or container) PostgreSQL major: 15, 16, 17 or 18 (any with PG_IMAGE)'),
  PG_SHARED_BUFFERS: text('1GB', "the embedded server's shared_buffers"),
  PG_LOG: text('', "a file: the embedded server's log goes there, with checkpoints, autovacuum, lock waits and statements of 250 ms or more"),
  PG_IMAGE: text('', 'the container image (PG_TARGET=container); unset: postgres:<PG_VERSION>-alpine'),
  // The pack's batches and locks (sent to the SQL as :batch_size, :pause_ms, ...).
  BACKFILL_BATCH_SIZE: int(1000, 1, 'at most about this many rows per batch (backfill, archive pass, restores)'),
  BACKFILL_PAUSE_MS: int(0, 0, 'sleep between batches'),
  BACKFILL_TARGET_MS: int(100, 0, "each batch's target duration; the size adapts to it (0 keeps it fixed)"),
  BACKFILL_MAX_LAG_MS: int(10_000, 0, 'between batches, wait while a physical standby replays more than this many ms behind (0: no ceiling); the wait is bounded by MIGRATE_LOCK_WAIT_MS'),
  MIGRATE_LOCK_ATTEMPT_MS: int(100, 1, 'one lock attempt: the longest an app statement waits behind the pack'),
  MIGRATE_LOCK_WAIT_MS: int(60_000, 0, "all attempts of one step's locks, or one batch's retries, before 55P03; also one wait for replicas"),
  // make migrate.
  STOP_BEFORE: text('', 'make migrate: apply every pending migration before this one (e.g. 09_contract-user)'),
  MIGRATE_RETRIES: int(5, 0, 'make migrate: retries of a migration that hit a lock timeout or deadlock'),
  MIGRATE_RETRY_BASE_MS: int(1000, 0, 'make migrate: backoff base (exponential, full jitter, capped at 30 s)'),
  // The seeder (make verify, verify-online, bench).
  SCALE: int(0, 100, 'posts to seed; unset: the command\'s own size (DEFAULT_POSTS)'),
  SEED: int(42, 0, "the seeder's PRNG and faker seed"),
  SEED_NOW: text('2026-01-01T00:00:00.000Z', "end of the seeded data's one-year window (ISO date)"),
  SEED_CHECK: flag(false, 'seeds/cli.ts: measure every planted edge case with SQL afterwards'),
  SEED_JSON: flag(false, 'seeds/cli.ts: print the summary as JSON'),
  SEED_THREADS: text('', 'worker threads that generate the posts and likes (0: the main thread; unset: one per core from 262,144 posts up when the 1-minute load average leaves a core idle, else 0); any count gives the same rows'),
  SEED_OBJECTS: text('', 'make verify: also fill a local bucket (0 < x <= 1: the share of storage rows with an object; 0 or unset: none)'),
  SEED_OBJ_AWKWARD: flag(true, 'plant awkward object keys (spaces, unicode)'),
  SEED_OBJ_MAX_BYTES: int(0, 0, 'cap storage.size so the bucket stays small; 0 or unset: real sizes'),
  // make verify-online.
  ONLINE_BUDGET_MS: int(250, 1, 'the longest an app statement may wait in any step of the pack'),
  ONLINE_WRITERS: int(2, 1, 'writers per app version'),
  ONLINE_READERS: int(4, 1, 'feed readers'),
  ONLINE_RTW_CLIENTS: int(4, 0, 'read-then-write clients'),
  ONLINE_STORAGE_CLIENTS: int(2, 0, 'storage clients (deletes and uploads)'),
  ONLINE_DELETES_PER_S: int(50, 0, 'deletes of referenced storage rows per second, all clients together'),
  ONLINE_UPLOADS_PER_S: int(10, 0, 'storage inserts per second, all clients together'),
  ONLINE_THINK_MS: int(2, 0, "pause between one client's statements"),
  ONLINE_PHASES: int(4, 1, 'phases to run, in order, of 4: 1 = the ups to the contract (the backfill included) under both apps; 4 = the whole pack, up and down', 4),
  // make bench, bench-upload, bench-storage-audit.
  BENCH_POSTS: int(1_000_000, 1000, 'make bench: posts to seed (SCALE also works)'),
  BENCH_TIME_MS: int(3000, 100, 'sampling time per query'),
  BENCH_WARMUP_MS: int(500, 0, 'warmup per query'),
  BENCH_PAGE_SIZE: int(20, 1, 'feed page size', 100),
  BENCH_DEEP_PAGE: int(50, 2, 'the deep feed page, reached by following the cursor'),
  BENCH_ROUNDS: int(6, 1, 'interleaved before/after rounds per query'),
  BENCH_ROUND_MS: int(500, 50, 'sampling time of one side in one round'),
  BENCH_OUT: text('bench/results', 'where benchmark results go'),
  BENCH_BACKFILL_ROUNDS: int(2, 1, "alternating rounds of the backfill's references and the pack's procedure (each figure the best of its rounds)"),
  BENCH_BACKFILL_IDEAS: flag(true, "time the backfill once more per idea of issue 13 (0: skip; at 10M each is a whole backfill)"),
  BENCH_ROUND_DELETES: int(50, 1, 'bench/fk-delete.ts: storage deletes per side per round'),
  FK_DELETE_AT: text('end', 'bench/fk-delete.ts: `end` (the whole pack) or `transition` (the pack up to 07)'),
  BENCH_BATCH_SIZES: text('1000,2500,5000', 'make bench-batch-sizes: the backfill batch sizes, in rows, comma-separated'),
  SCALES: text('100k,300k,1m', 'make bench-scale: the sizes, in posts, comma-separated (k and m suffixes)'),
  AUDIT_BENCH_SIZES: text('10000,100000', 'make bench-storage-audit: bucket sizes, real objects'),
  AUDIT_BENCH_SYNTHETIC: text('100000,1000000', 'make bench-storage-audit: bucket sizes, synthetic listing'),
  // The object store (app/storage.ts reads these; make storage-audit).
  S3_ENDPOINT: text('', 'S3-compatible endpoint; unset: AWS'),
  S3_BUCKET: text('', 'the bucket'),
  S3_REGION: text('auto', "the region (R2's auto; AWS needs its real one)"),
  S3_ACCESS_KEY_ID: text('', 'credentials (or AWS_ACCESS_KEY_ID)'),
  S3_SECRET_ACCESS_KEY: text('', 'credentials (or AWS_SECRET_ACCESS_KEY)'),
  S3_FORCE_PATH_STYLE: text('', '1 or 0; unset: path-style for any custom endpoint'),
  S3_PYTHON: text('python3', 'the Python that runs the local S3 server (moto) in tests'),
  AUDIT_GRACE: text('7 days', 'objects younger than this are never orphans'),
  AUDIT_SCHEMA: text('public', "the schema of the app's tables for make storage-audit"),
  CI: text('', 'true or 1: plain progress lines instead of a redrawing bar'),
} satisfies Record<string, Knob>;

export type KnobName = keyof typeof KNOBS;
type NamesOf<K> = { [N in KnobName]: (typeof KNOBS)[N] extends K ? N : never }[KnobName];

/** An integer knob: its default when unset or blank, else parsed by parseInteger. */
export function intSetting(name: NamesOf<IntKnob>, env: Env = process.env): number {
  const k: IntKnob = KNOBS[name];
  const raw = env[name];
  return set(raw) ? parseInteger(name, raw, k.min, k.max) : k.default;
}

/** A text knob, trimmed: its default when unset or blank. */
export function textSetting(name: NamesOf<TextKnob>, env: Env = process.env): string {
  const raw = env[name];
  return set(raw) ? raw.trim() : KNOBS[name].default;
}

/** A flag: 1/true/yes or 0/false/no. */
export function flagSetting(name: NamesOf<FlagKnob>, env: Env = process.env): boolean {
  const raw = env[name];
  if (!set(raw)) return KNOBS[name].default;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new BadInput(`${name} must be 1 or 0 (true or false), got "${raw}"`);
}

/** CI=true or CI=1 (what CI services set); any other value is not a CI. */
export const isCi = (env: Env = process.env): boolean => ['true', '1'].includes(textSetting('CI', env).toLowerCase());

/** Posts each command seeds when SCALE is unset. */
export const DEFAULT_POSTS = Object.freeze({ seed: 5000, verify: 400_000, online: 200_000, bench: 1_000_000, upload: 1_000_000, 'fk-delete': 200_000 });

/** SCALE, or the command's own size. */
export function posts(command: keyof typeof DEFAULT_POSTS, env: Env = process.env): number {
  return set(env.SCALE) ? intSetting('SCALE', env) : DEFAULT_POSTS[command];
}

/** The integers the pack's SQL files take as :name variables (migrations, make backfill). */
export function packVars(env: Env = process.env): Record<'batch_size' | 'pause_ms' | 'target_ms' | 'lock_attempt_ms' | 'lock_wait_ms' | 'max_lag_ms', number> {
  return {
    batch_size: intSetting('BACKFILL_BATCH_SIZE', env),
    pause_ms: intSetting('BACKFILL_PAUSE_MS', env),
    target_ms: intSetting('BACKFILL_TARGET_MS', env),
    lock_attempt_ms: intSetting('MIGRATE_LOCK_ATTEMPT_MS', env),
    lock_wait_ms: intSetting('MIGRATE_LOCK_WAIT_MS', env),
    max_lag_ms: intSetting('BACKFILL_MAX_LAG_MS', env),
  };
}

/** DATABASE_URL, required by the CLIs that work on a user's database. */
export function databaseUrl(env: Env, purpose: string): string {
  const url = textSetting('DATABASE_URL', env);
  if (!url) throw new BadInput(`DATABASE_URL is not set: point it at the database to ${purpose}`);
  return url;
}

/** A schema name node-pg-migrate can take: it quotes it without escaping, so plain names only. */
export function schemaSetting(name: 'MIGRATE_SCHEMA' | 'AUDIT_SCHEMA', env: Env = process.env): string {
  const schema = textSetting(name, env);
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(schema)) throw new BadInput(`${name} must be a plain schema name (letters, digits, _), got "${schema}"`);
  return schema;
}

/** PGCONNECT_TIMEOUT in ms: a silent host must not hang a CLI. */
export const connectTimeoutMs = (env: Env = process.env): number => intSetting('PGCONNECT_TIMEOUT', env) * 1000;

/** Every setting make migrate / make rollback / make backfill reads, checked before any work. */
export function migrateSettings(env: Env = process.env) {
  return {
    url: databaseUrl(env, 'migrate'),
    schema: schemaSetting('MIGRATE_SCHEMA', env),
    stopBefore: textSetting('STOP_BEFORE', env) || undefined,
    retries: intSetting('MIGRATE_RETRIES', env),
    retryBaseMs: intSetting('MIGRATE_RETRY_BASE_MS', env),
    connectTimeoutMs: connectTimeoutMs(env),
    pack: packVars(env),
  };
}

/** The ONLINE_* knobs. */
export function onlineSettings(env: Env = process.env) {
  return {
    budgetMs: intSetting('ONLINE_BUDGET_MS', env),
    writers: intSetting('ONLINE_WRITERS', env),
    readers: intSetting('ONLINE_READERS', env),
    rtwClients: intSetting('ONLINE_RTW_CLIENTS', env),
    storageClients: intSetting('ONLINE_STORAGE_CLIENTS', env),
    deletesPerS: intSetting('ONLINE_DELETES_PER_S', env),
    uploadsPerS: intSetting('ONLINE_UPLOADS_PER_S', env),
    thinkMs: intSetting('ONLINE_THINK_MS', env),
    phases: intSetting('ONLINE_PHASES', env),
  };
}

/** The BENCH_* knobs of make bench; posts from BENCH_POSTS, else SCALE. */
export function benchSettings(env: Env = process.env) {
  const postsName = set(env.BENCH_POSTS) ? 'BENCH_POSTS' : set(env.SCALE) ? 'SCALE' : undefined;
  const k = KNOBS.BENCH_POSTS;
  return {
    posts: postsName ? parseInteger(postsName, env[postsName]!, k.min) : DEFAULT_POSTS.bench,
    timeMs: intSetting('BENCH_TIME_MS', env),
    warmupMs: intSetting('BENCH_WARMUP_MS', env),
    pageSize: intSetting('BENCH_PAGE_SIZE', env),
    deepPage: intSetting('BENCH_DEEP_PAGE', env),
    rounds: intSetting('BENCH_ROUNDS', env),
    roundMs: intSetting('BENCH_ROUND_MS', env),
    batchSize: intSetting('BACKFILL_BATCH_SIZE', env),
    outDir: textSetting('BENCH_OUT', env),
    backfillRounds: intSetting('BENCH_BACKFILL_ROUNDS', env),
    backfillIdeas: flagSetting('BENCH_BACKFILL_IDEAS', env),
  };
}

/** A comma-separated list of sizes (AUDIT_BENCH_SIZES, AUDIT_BENCH_SYNTHETIC, SCALES, BENCH_BATCH_SIZES). */
export function sizesSetting(name: 'AUDIT_BENCH_SIZES' | 'AUDIT_BENCH_SYNTHETIC' | 'SCALES' | 'BENCH_BATCH_SIZES', env: Env = process.env): number[] {
  return textSetting(name, env).split(',').filter((s) => s.trim() !== '').map((s) => parseInteger(name, s, 1));
}
