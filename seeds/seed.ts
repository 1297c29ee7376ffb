// Deterministic bulk seeder for the baseline schema (sql/baseline.sql).
//
// The data looks like the app's: better-auth ids (32 random alphanumerics), organizations with
// members, object-store keys (org/<orgId>/posts/<uuid>.jpg, users/<userId>/avatar/<uuid>.png),
// OAuth avatar URLs in "user".image, and every edge case of the image-key mapping rule planted on
// purpose (see SeedFractions). Same options => byte-identical rows.
//
// Speed: faker (fixed seed) only fills small pools of names and sentences; rows come from a seeded
// sfc32 PRNG sampling those pools, and reach the server through COPY FROM STDIN (seeds/copy.ts),
// streamed while the next chunk is generated. One transaction, then ANALYZE.
import pg from 'pg';
import { Faker, base, en } from '@faker-js/faker';
import { copyInto, copyText, type CopyWriter } from './copy.ts';

// ---------------------------------------------------------------------------------------------
// Options and summary
// ---------------------------------------------------------------------------------------------

/**
 * Edge-case fractions. Post-side ones are fractions of the posts that have an image_key; user-side
 * ones of the users whose image is not NULL. Except for the two base rates and userOauth, every
 * fraction that is > 0 plants at least one instance (blanks and variants at least one of each
 * sub-kind), however small the scale.
 */
export interface SeedFractions {
  /** base rate: posts with image_key NOT NULL (of all posts) */
  postsWithImage: number;
  /** a. the key has 2-3 storage rows in the post's own organization */
  duplicates: number;
  /** a. of the duplicate groups: those whose two oldest rows tie on created_at (smallest id wins) */
  duplicateTies: number;
  /** b. the key has no storage row anywhere */
  missing: number;
  /** c. the key's storage row is in another organization only */
  otherOrg: number;
  /** d. an https URL (an S3 URL of a real key, or an external image URL) */
  urls: number;
  /** d. '' or whitespace only */
  blanks: number;
  /** d. ' ' || key, key || ' ', upper(key) of a real key in the post's organization */
  variants: number;
  /** e. the post reuses another post's image (same key, same organization) */
  shared: number;
  /** f. extra org uploads that nothing references (count = fraction x posts with an image) */
  orphans: number;
  /** base rate: users whose image is NOT NULL (of all users) */
  usersWithImage: number;
  /** base rate: OAuth avatar URLs (Google / GitHub), of users with an image */
  userOauth: number;
  /** g. image is the key of an organization upload (users map in any organization) */
  userOrgKeys: number;
  /** g. the avatar key has 2-3 storage rows (ties on created_at included) */
  userDuplicates: number;
  /** g. an avatar-shaped key with no storage row */
  userMissing: number;
  /** g. '' or whitespace only */
  userBlanks: number;
  /** g. ' ' || key, key || ' ', upper(key) of a real avatar key */
  userVariants: number;
}

export interface SeedOptions {
  /** the scale knob: number of posts; every other table is derived from it */
  posts: number;
  /** PRNG and faker seed */
  seed: number;
  /** anchor of the data's time window (created_at spans the year before it); fixed for determinism */
  now: string;
  fractions: SeedFractions;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
}

export const DEFAULT_FRACTIONS: Readonly<SeedFractions> = Object.freeze({
  postsWithImage: 0.6,
  duplicates: 0.01,
  duplicateTies: 0.3,
  missing: 0.01,
  otherOrg: 0.005,
  urls: 0.005,
  blanks: 0.005,
  variants: 0.005,
  shared: 0.02,
  orphans: 0.03,
  usersWithImage: 0.7,
  userOauth: 0.33,
  userOrgKeys: 0.02,
  userDuplicates: 0.01,
  userMissing: 0.02,
  userBlanks: 0.01,
  userVariants: 0.01,
});

export const DEFAULT_SEED_OPTIONS: Readonly<Omit<SeedOptions, 'onProgress'>> = Object.freeze({
  posts: 5000,
  seed: 42,
  now: '2026-01-01T00:00:00.000Z',
  fractions: DEFAULT_FRACTIONS,
});

export interface SeedSummary {
  options: { posts: number; seed: number; now: string; fractions: SeedFractions };
  rows: { organization: number; user: number; member: number; storage: number; posts: number; post_likes: number };
  edgeCases: {
    posts: {
      withImage: number;
      /** a. posts whose key has 2+ storage rows in their organization */
      duplicateKey: number;
      duplicateStorageRows: number;
      /** a. duplicate groups whose oldest created_at is shared by two rows */
      duplicateTieGroups: number;
      /** a. duplicate groups that also have an OLDER copy in another organization (must not win) */
      duplicateOtherOrgDecoys: number;
      missingKey: number;
      otherOrgOnly: number;
      urls: number;
      blanks: number;
      leadingSpace: number;
      trailingSpace: number;
      upperCase: number;
      /** e. posts that reuse another post's key */
      sharedImage: number;
      /** e. keys referenced by 2+ posts */
      sharedKeys: number;
    };
    users: {
      withImage: number;
      storageAvatar: number;
      oauthUrl: number;
      orgUploadKey: number;
      duplicateKey: number;
      duplicateStorageRows: number;
      duplicateTieGroups: number;
      missingKey: number;
      blanks: number;
      leadingSpace: number;
      trailingSpace: number;
      upperCase: number;
    };
    storage: {
      /** f. org uploads nothing references */
      orphanUploads: number;
      /** f. earlier avatars a user replaced (nothing references them) */
      replacedAvatars: number;
    };
  };
  /** what the mapping rule must produce on this data (image_id NOT NULL / NULL for non-NULL keys) */
  expected: { postsMapped: number; postsUnmapped: number; usersMapped: number; usersUnmapped: number };
  /** 'validated': FK triggers off during the load, every reference checked by one query per FK; 'triggers': row-by-row FK checks */
  fkMode: 'validated' | 'triggers';
  elapsedMs: number;
  phasesMs: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** SEED_FRAC_<UPPER_SNAKE of the fraction name>, e.g. userOrgKeys -> SEED_FRAC_USER_ORG_KEYS */
export function fractionEnvName(key: keyof SeedFractions): string {
  return 'SEED_FRAC_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** Parses "1000000", "1_000_000", "1e6", "250k", "1m". */
function parseCount(name: string, raw: string): number {
  const s = raw.trim().replace(/_/g, '').toLowerCase();
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/.exec(s);
  const n = m ? Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'm' ? 1e6 : 1) : NaN;
  if (!Number.isFinite(n) || !Number.isInteger(n) || n < 0) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number (examples: 2000, 1_000_000, 1e6, 250k, 1m)`);
  }
  return n;
}

/** Options from SCALE, SEED, SEED_NOW and SEED_FRAC_* (unset variables keep the defaults). */
export function seedOptionsFromEnv(env: Record<string, string | undefined> = process.env): Partial<SeedOptions> {
  const out: Partial<SeedOptions> = {};
  if (env.SCALE) out.posts = parseCount('SCALE', env.SCALE);
  if (env.SEED) out.seed = parseCount('SEED', env.SEED);
  if (env.SEED_NOW) {
    if (Number.isNaN(Date.parse(env.SEED_NOW))) throw new Error(`SEED_NOW=${JSON.stringify(env.SEED_NOW)} is not a date`);
    out.now = new Date(env.SEED_NOW).toISOString();
  }
  const fractions: Partial<SeedFractions> = {};
  for (const key of Object.keys(DEFAULT_FRACTIONS) as (keyof SeedFractions)[]) {
    const name = fractionEnvName(key);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`${name}=${JSON.stringify(raw)} must be a number from 0 to 1`);
    fractions[key] = v;
  }
  if (Object.keys(fractions).length) out.fractions = { ...DEFAULT_FRACTIONS, ...fractions };
  return out;
}

function resolveOptions(opts: Partial<SeedOptions>): SeedOptions {
  const o: SeedOptions = {
    ...DEFAULT_SEED_OPTIONS,
    ...opts,
    fractions: { ...DEFAULT_FRACTIONS, ...(opts.fractions ?? {}) },
  };
  if (!Number.isInteger(o.posts) || o.posts < 100) throw new Error(`posts must be an integer >= 100 (got ${o.posts})`);
  if (!Number.isSafeInteger(o.seed)) throw new Error(`seed must be an integer (got ${o.seed})`);
  if (Number.isNaN(Date.parse(o.now))) throw new Error(`now must be a date (got ${o.now})`);
  for (const [k, v] of Object.entries(o.fractions)) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`fractions.${k} must be a number from 0 to 1 (got ${v})`);
  }
  const f = o.fractions;
  const postSum = f.duplicates + f.missing + f.otherOrg + f.urls + f.blanks + f.variants + f.shared;
  if (postSum > 0.9) throw new Error(`post edge-case fractions add up to ${postSum.toFixed(3)}; keep them under 0.9`);
  const userSum = f.userOauth + f.userOrgKeys + f.userDuplicates + f.userMissing + f.userBlanks + f.userVariants;
  if (userSum > 0.9) throw new Error(`user image fractions add up to ${userSum.toFixed(3)}; keep them under 0.9`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// PRNG (sfc32) and fast formatters
// ---------------------------------------------------------------------------------------------

function hash32(s: string, h: number): number {
  // cyrb-style string hash, enough to derive independent streams
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM_CODES = Uint8Array.from(ALNUM, (ch) => ch.charCodeAt(0));
const ID_CODES = new Uint8Array(32);
const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: string) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    this.a = hash32(stream, lo ^ 0x9e3779b9);
    this.b = hash32(stream, hi ^ 0x243f6a88);
    this.c = hash32(stream + '#c', lo + 0x85a308d3);
    this.d = 1;
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** [0, 1) */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(arr: readonly T[]): T {
    return arr[Math.floor(this.float() * arr.length)];
  }

  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** better-auth's generateId() shape: 32 chars of a-z A-Z 0-9 (a flat string: cheap to keep) */
  id(): string {
    const c = ID_CODES;
    for (let i = 0; i < 32; i += 4) {
      let r = this.u32() % 14776336; // 62^4: four characters per draw
      c[i] = ALNUM_CODES[r % 62];
      r = (r / 62) | 0;
      c[i + 1] = ALNUM_CODES[r % 62];
      r = (r / 62) | 0;
      c[i + 2] = ALNUM_CODES[r % 62];
      c[i + 3] = ALNUM_CODES[(r / 62) | 0];
    }
    return String.fromCharCode(
      c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15],
      c[16], c[17], c[18], c[19], c[20], c[21], c[22], c[23], c[24], c[25], c[26], c[27], c[28], c[29], c[30], c[31],
    );
  }

  /** RFC 4122 version 4 UUID */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    const bl = (b & 0x0fff) | 0x4000;
    const ch = ((c >>> 16) & 0x3fff) | 0x8000;
    return (
      HEX2[a >>> 24] + HEX2[(a >>> 16) & 255] + HEX2[(a >>> 8) & 255] + HEX2[a & 255] + '-' +
      HEX2[b >>> 24] + HEX2[(b >>> 16) & 255] + '-' + HEX2[bl >>> 8] + HEX2[bl & 255] + '-' +
      HEX2[ch >>> 8] + HEX2[ch & 255] + '-' + HEX2[(c >>> 8) & 255] + HEX2[c & 255] +
      HEX2[d >>> 24] + HEX2[(d >>> 16) & 255] + HEX2[(d >>> 8) & 255] + HEX2[d & 255]
    );
  }

  shuffle(a: Uint8Array | Int32Array | unknown[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const PAD2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** epoch ms -> 'YYYY-MM-DD HH:MM:SS.mmm+00' (timestamptz input), without a Date per value */
class TimeFormatter {
  private days = new Map<number, string>();
  fmt(ms: number): string {
    const day = Math.floor(ms / DAY);
    let prefix = this.days.get(day);
    if (prefix === undefined) {
      prefix = new Date(day * DAY).toISOString().slice(0, 10) + ' ';
      this.days.set(day, prefix);
    }
    let r = ms - day * DAY;
    const h = Math.floor(r / HOUR);
    r -= h * HOUR;
    const m = Math.floor(r / MINUTE);
    r -= m * MINUTE;
    const s = Math.floor(r / 1000);
    return prefix + PAD2[h] + ':' + PAD2[m] + ':' + PAD2[s] + '.' + PAD3[r - s * 1000] + '+00';
  }
}

// ---------------------------------------------------------------------------------------------
// Pools (faker, fixed seed)
// ---------------------------------------------------------------------------------------------

interface Pools {
  firstNames: string[];
  lastNames: string[];
  companies: string[];
  emailDomains: string[];
  sentences: string[];
  emojis: string[];
  nouns: string[];
}

function buildPools(seed: number): Pools {
  const f = new Faker({ locale: [en, base] });
  f.seed(seed);
  const times = <T>(n: number, fn: () => T): T[] => Array.from({ length: n }, fn);
  const sentences = [
    ...times(600, () => f.hacker.phrase()),
    ...times(400, () => f.company.catchPhrase() + '.'),
    ...times(400, () => f.lorem.sentence({ min: 4, max: 14 })),
    ...times(300, () => f.commerce.productDescription()),
    ...times(300, () => {
      const w = f.word.words({ count: { min: 3, max: 9 } });
      return w.charAt(0).toUpperCase() + w.slice(1) + f.helpers.arrayElement(['.', '!', '?', '...']);
    }),
  ];
  return {
    firstNames: times(500, () => f.person.firstName()),
    lastNames: times(500, () => f.person.lastName()),
    companies: times(400, () => f.company.name()),
    emailDomains: [
      ...Array<string>(6).fill('gmail.com'),
      'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me', 'fastmail.com',
      ...times(40, () => f.internet.domainName()),
    ],
    sentences,
    emojis: times(60, () => f.internet.emoji()),
    nouns: times(300, () => f.word.noun().toLowerCase().replace(/[^a-z0-9]+/g, '-')),
  };
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

/** How many rows of a kind to plant: round(frac x base), at least `min` when frac > 0. */
function plant(frac: number, baseCount: number, min = 1): number {
  if (frac <= 0) return 0;
  return Math.max(min, Math.round(frac * baseCount));
}

const enum PK { // post image kinds
  None,
  Normal,
  Duplicate,
  Missing,
  OtherOrg,
  Url,
  Blank,
  Variant,
  Shared,
}

const enum UK { // user image kinds
  None,
  Avatar,
  Oauth,
  OrgKey,
  Duplicate,
  Missing,
  Blank,
  Variant,
}

const CHUNK_CHARS = 1 << 20;

/**
 * Accumulates COPY text in ~1 MiB pieces: streams them to a writer, or (writer null) keeps them as
 * Buffers, off the JS heap, so that hundreds of MB of pending rows cost the garbage collector nothing.
 */
class Sink {
  rows = 0;
  private buf = '';
  readonly chunks: Buffer[] = [];
  constructor(private writer: CopyWriter | null) {}
  /** Adds one line; true when a flush is due (streaming sinks). */
  add(line: string): boolean {
    this.buf += line;
    this.rows++;
    if (this.buf.length < CHUNK_CHARS) return false;
    if (this.writer) return true;
    this.chunks.push(Buffer.from(this.buf, 'utf8'));
    this.buf = '';
    return false;
  }
  async flush(): Promise<void> {
    if (!this.buf) return;
    const b = this.buf;
    this.buf = '';
    if (this.writer) await this.writer.write(b);
    else this.chunks.push(Buffer.from(b, 'utf8'));
  }
}

const S = copyText;

function slugify(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function emailLocal(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z]+/g, '');
}

/**
 * Fills the baseline's (empty) tables: organization, "user", member, storage, posts, post_likes.
 * Runs its own transaction (do not call it inside one), then ANALYZE. Needs node-postgres's JS
 * client (COPY runs through it). As a superuser on tables without user triggers, foreign keys are
 * checked in bulk at the end instead of row by row (see SeedSummary.fkMode).
 */
export async function seed(client: pg.ClientBase, opts: Partial<SeedOptions> = {}): Promise<SeedSummary> {
  const o = resolveOptions(opts);
  const F = o.fractions;
  const t0 = performance.now();
  const phasesMs: Record<string, number> = {};
  let phaseStart = t0;
  const endPhase = (name: string) => {
    const now = performance.now();
    phasesMs[name] = Math.round(now - phaseStart);
    phaseStart = now;
  };
  const progress = (phase: string, done: number, total: number) => o.onProgress?.({ phase, done, total });

  const { fastLoad } = await preflight(client);

  const pools = buildPools(o.seed);
  const tf = new TimeFormatter();
  const ts = (ms: number) => tf.fmt(ms);
  const rng = (stream: string) => new Rng(o.seed, stream);

  const END = Date.parse(o.now);
  const START = END - 365 * DAY;
  const P = o.posts;
  const O = Math.max(4, Math.round(P / 10_000));
  const U = Math.max(40, Math.round(P / 10));

  const edge: SeedSummary['edgeCases'] = {
    posts: {
      withImage: 0, duplicateKey: 0, duplicateStorageRows: 0, duplicateTieGroups: 0, duplicateOtherOrgDecoys: 0,
      missingKey: 0, otherOrgOnly: 0, urls: 0, blanks: 0, leadingSpace: 0, trailingSpace: 0, upperCase: 0,
      sharedImage: 0, sharedKeys: 0,
    },
    users: {
      withImage: 0, storageAvatar: 0, oauthUrl: 0, orgUploadKey: 0, duplicateKey: 0, duplicateStorageRows: 0,
      duplicateTieGroups: 0, missingKey: 0, blanks: 0, leadingSpace: 0, trailingSpace: 0, upperCase: 0,
    },
    storage: { orphanUploads: 0, replacedAvatars: 0 },
  };

  // Storage rows are produced alongside users and posts, then COPYed in one go.
  const storage = new Sink(null);
  const storageIds = rng('storage.id');
  const storageRng = rng('storage');

  const POST_EXT: [string, string, number][] = [
    ['jpg', 'image/jpeg', 0.75],
    ['png', 'image/png', 0.15],
    ['webp', 'image/webp', 0.08],
    ['gif', 'image/gif', 0.02],
  ];
  const AVATAR_EXT: [string, string, number][] = [
    ['png', 'image/png', 0.8],
    ['jpg', 'image/jpeg', 0.15],
    ['webp', 'image/webp', 0.05],
  ];
  const pickExt = (table: [string, string, number][]): [string, string] => {
    let r = storageRng.float();
    for (const [ext, ct, p] of table) {
      if ((r -= p) < 0) return [ext, ct];
    }
    return [table[0][0], table[0][1]];
  };
  const CONTENT_TYPE: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };
  const extOf = (key: string) => key.slice(key.lastIndexOf('.') + 1);

  const uploadFileName = (ext: string, at: number): string => {
    const r = storageRng.float();
    const d = new Date(at);
    const ymd = d.toISOString().slice(0, 10);
    if (ext === 'png' && r < 0.6) {
      return `Screenshot ${ymd} at ${d.getUTCHours()}.${PAD2[d.getUTCMinutes()]}.${PAD2[d.getUTCSeconds()]}.png`;
    }
    if (ext === 'jpg' && r < 0.35) return `IMG_${String(1000 + storageRng.int(9000))}.${storageRng.chance(0.3) ? 'JPG' : 'jpg'}`;
    if (ext === 'jpg' && r < 0.55) return `PXL_${ymd.replace(/-/g, '')}_${String(100000000 + storageRng.int(899999999))}.jpg`;
    if (r < 0.8) return `${storageRng.pick(pools.nouns)}-${storageRng.pick(pools.nouns)}.${ext}`;
    return `${storageRng.pick(pools.nouns)}_${1 + storageRng.int(999)}.${ext}`;
  };
  const uploadSize = (ext: string): number => {
    const mu = ext === 'gif' ? Math.log(1_800_000) : ext === 'png' ? Math.log(600_000) : Math.log(350_000);
    return Math.min(15_000_000, Math.max(4_096, Math.round(Math.exp(mu + 0.9 * storageRng.normal()))));
  };
  const avatarSize = (): number => Math.min(2_000_000, Math.max(2_048, Math.round(Math.exp(Math.log(60_000) + 0.6 * storageRng.normal()))));

  /** One storage row; returns its id. org === null for personal uploads. */
  const storageRow = (
    key: string, fileName: string, size: number, userId: string | null, orgId: string | null, at: number, id = storageIds.id(),
  ): string => {
    storage.add(
      id + '\t' + S(key) + '\t' + S(fileName) + '\t' + CONTENT_TYPE[extOf(key)] + '\t' + size + '\t' +
        (userId ?? '\\N') + '\t' + (orgId ?? '\\N') + '\t' + ts(at) + '\n',
    );
    return id;
  };

  /**
   * Several storage rows with the same key (edge case a / g). The oldest created_at is shared by two
   * rows when `tie`; rows are written so that the winner (oldest, then smallest id) is never simply
   * the first row inserted for a tie.
   */
  const duplicateGroup = (
    key: string, fileName: string, size: number, uploaders: string[], orgId: string | null, base: number, tie: boolean,
  ): number => {
    const n = storageRng.chance(0.3) ? 3 : 2;
    const rows: { id: string; at: number }[] = [{ id: storageIds.id(), at: base }];
    if (tie) rows.push({ id: storageIds.id(), at: base });
    while (rows.length < n) rows.push({ id: storageIds.id(), at: base + 1000 + storageRng.int(3 * DAY) });
    storageRng.shuffle(rows);
    if (tie) {
      // the tied pair goes in descending id order: the winner is inserted after the loser
      const tied = rows.filter((r) => r.at === base).sort((x, y) => (x.id < y.id ? 1 : -1));
      let k = 0;
      for (let i = 0; i < rows.length; i++) if (rows[i].at === base) rows[i] = tied[k++];
    }
    for (const r of rows) storageRow(key, fileName, size, storageRng.pick(uploaders), orgId, r.at, r.id);
    return rows.length;
  };

  // ---- organizations, users, memberships (in memory; they are small) -------------------------
  const orgRng = rng('organization');
  const userRng = rng('user');
  const memRng = rng('member');

  const userIds: string[] = new Array(U);
  const userCreated = new Float64Array(U);
  for (let u = 0; u < U; u++) userCreated[u] = START + Math.floor(userRng.float() * (END - START - DAY));
  userCreated.sort();
  {
    const idr = rng('user.id');
    for (let u = 0; u < U; u++) userIds[u] = idr.id();
  }

  const orgIds: string[] = new Array(O);
  const orgCreated = new Float64Array(O);
  const orgWeight = new Float64Array(O);
  {
    const idr = rng('organization.id');
    for (let i = 0; i < O; i++) {
      orgIds[i] = idr.id();
      // user i founds organization i
      orgCreated[i] = userCreated[i] + orgRng.int(2 * HOUR);
      orgWeight[i] = 1 / Math.pow(i + 1, 0.7);
    }
  }
  const cumulative = (w: Float64Array) => {
    const c = new Float64Array(w.length);
    let s = 0;
    for (let i = 0; i < w.length; i++) c[i] = s += w[i];
    return c;
  };
  const weighted = (cum: Float64Array, r: Rng): number => {
    const x = r.float() * cum[cum.length - 1];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const orgCum = cumulative(orgWeight);

  // memberships
  const memUser: number[] = [];
  const memOrg: number[] = [];
  const memAt: number[] = [];
  const memRole: string[] = [];
  const userOrgs: number[][] = new Array(U);
  for (let u = 0; u < U; u++) {
    const r = memRng.float();
    const n = Math.min(O, r < 0.6 ? 1 : r < 0.9 ? 2 : 3);
    const orgs: number[] = [];
    if (u < O) orgs.push(u);
    while (orgs.length < n) {
      const g = weighted(orgCum, memRng);
      if (!orgs.includes(g)) orgs.push(g);
    }
    userOrgs[u] = orgs;
    for (const g of orgs) {
      const owner = u === g;
      const baseAt = Math.max(userCreated[u], orgCreated[g]);
      const at = owner
        ? orgCreated[g]
        : Math.min(baseAt + Math.floor(memRng.float() ** 2 * 14 * DAY), Math.max(baseAt, END - MINUTE));
      memUser.push(u);
      memOrg.push(g);
      memAt.push(at);
      memRole.push(owner ? 'owner' : memRng.chance(0.08) ? 'admin' : 'member');
    }
  }
  const M = memUser.length;
  // per organization: members in join order, and their join times (for "who could post at t")
  const orgMembers: Int32Array[] = [];
  const orgJoin: Float64Array[] = [];
  {
    const lists: number[][] = Array.from({ length: O }, () => []);
    for (let i = 0; i < M; i++) lists[memOrg[i]].push(i);
    for (let g = 0; g < O; g++) {
      const l = lists[g].sort((a, b) => memAt[a] - memAt[b] || a - b);
      orgMembers.push(Int32Array.from(l, (i) => memUser[i]));
      orgJoin.push(Float64Array.from(l, (i) => memAt[i]));
    }
  }
  const randomMember = (g: number, r: Rng) => orgMembers[g][r.int(orgMembers[g].length)];

  // ---- users' images ---------------------------------------------------------------------------
  const userImage: (string | null)[] = new Array(U).fill(null);
  const userUpdated = Float64Array.from(userCreated);
  {
    const ir = rng('user.image');
    const has: number[] = [];
    for (let u = 0; u < U; u++) if (ir.chance(F.usersWithImage)) has.push(u);
    const I = has.length;
    const kinds = new Uint8Array(I).fill(UK.Avatar);
    let k = 0;
    const fill = (kind: UK, n: number) => {
      for (let i = 0; i < n && k < I; i++) kinds[k++] = kind;
    };
    fill(UK.Oauth, F.userOauth > 0 ? Math.round(F.userOauth * I) : 0);
    fill(UK.OrgKey, plant(F.userOrgKeys, I));
    fill(UK.Duplicate, plant(F.userDuplicates, I));
    fill(UK.Missing, plant(F.userMissing, I));
    fill(UK.Blank, plant(F.userBlanks, I, 2));
    fill(UK.Variant, plant(F.userVariants, I, 3));
    if (k >= I) throw new Error(`scale too small: ${I} users with an image cannot hold every user edge case`);
    ir.shuffle(kinds);
    const dupCount = kinds.reduce((n, x) => n + (x === UK.Duplicate ? 1 : 0), 0);
    const tieCount = plant(F.duplicateTies, dupCount);
    let dupOrdinal = 0;
    let blankOrdinal = 0;
    let variantOrdinal = 0;
    const avatarKey = (u: number) => {
      const [ext] = pickExt(AVATAR_EXT);
      return `users/${userIds[u]}/avatar/${ir.uuid()}.${ext}`;
    };
    const avatarName = (key: string) =>
      ir.chance(0.5) ? `avatar.${extOf(key)}` : `${emailLocal(pools.firstNames[ir.int(pools.firstNames.length)])}.${extOf(key)}`;
    const setAt = (u: number) => Math.min(userCreated[u] + Math.floor(ir.float() ** 3 * 90 * DAY), END - MINUTE);
    for (let i = 0; i < I; i++) {
      const u = has[i];
      const kind = kinds[i] as UK;
      let image: string;
      const at = setAt(u);
      switch (kind) {
        case UK.Avatar: {
          image = avatarKey(u);
          if (ir.chance(0.12)) {
            // earlier avatars the user has since replaced: nothing references them
            const n = 1 + ir.int(2);
            for (let j = 0; j < n; j++) {
              const old = avatarKey(u);
              storageRow(old, avatarName(old), avatarSize(), userIds[u], null, userCreated[u] + Math.floor((at - userCreated[u]) * ir.float()));
              edge.storage.replacedAvatars++;
            }
          }
          storageRow(image, avatarName(image), avatarSize(), userIds[u], null, at);
          edge.users.storageAvatar++;
          break;
        }
        case UK.Oauth:
          image = ir.chance(0.6)
            ? `https://lh3.googleusercontent.com/a/ACg8oc${randomBase64Url(ir, 40 + ir.int(20))}=s96-c`
            : `https://avatars.githubusercontent.com/u/${1 + ir.int(190_000_000)}?v=4`;
          edge.users.oauthUrl++;
          break;
        case UK.OrgKey: {
          // "use this upload as my profile picture": a key in one of the user's organizations
          const g = userOrgs[u][ir.int(userOrgs[u].length)];
          const [ext] = pickExt(POST_EXT);
          image = `org/${orgIds[g]}/posts/${ir.uuid()}.${ext}`;
          storageRow(image, uploadFileName(ext, at), uploadSize(ext), userIds[u], orgIds[g], at);
          edge.users.orgUploadKey++;
          break;
        }
        case UK.Duplicate: {
          image = avatarKey(u);
          const rows = duplicateGroup(image, avatarName(image), avatarSize(), [userIds[u]], null, at, dupOrdinal < tieCount);
          edge.users.duplicateKey++;
          edge.users.duplicateStorageRows += rows;
          if (dupOrdinal < tieCount) edge.users.duplicateTieGroups++;
          dupOrdinal++;
          break;
        }
        case UK.Missing:
          image = avatarKey(u);
          edge.users.missingKey++;
          break;
        case UK.Blank:
          image = blankOrdinal++ % 2 === 0 ? '' : ' ';
          edge.users.blanks++;
          break;
        case UK.Variant: {
          const key = avatarKey(u);
          storageRow(key, avatarName(key), avatarSize(), userIds[u], null, at);
          const v = variantOrdinal++ % 3;
          image = v === 0 ? ' ' + key : v === 1 ? key + ' ' : key.toUpperCase();
          if (v === 0) edge.users.leadingSpace++;
          else if (v === 1) edge.users.trailingSpace++;
          else edge.users.upperCase++;
          break;
        }
        default:
          throw new Error('unreachable');
      }
      userImage[u] = image;
      userUpdated[u] = Math.max(userUpdated[u], at);
      edge.users.withImage++;
    }
  }

  endPhase('prepare');

  // ---- load organizations, users, members --------------------------------------------------------
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL synchronous_commit = off');
    if (fastLoad) {
      // Foreign keys are row triggers: checking ~8M references one by one costs more than the rest
      // of the load. Disable them for this transaction only, then validate every reference with one
      // set-based query per foreign key before COMMIT.
      await client.query(`SET LOCAL session_replication_role = replica`);
    }

    progress('organization', 0, O);
    await copyInto(client, 'COPY organization (id, name, slug, logo, metadata, created_at) FROM STDIN', async (w) => {
      const sink = new Sink(w);
      const slugs = new Set<string>();
      for (let g = 0; g < O; g++) {
        const name = orgRng.pick(pools.companies);
        let slug = slugify(name) || 'org';
        for (let n = 2; slugs.has(slug); n++) slug = `${slugify(name) || 'org'}-${n}`;
        slugs.add(slug);
        const logo = orgRng.chance(0.3) ? `https://api.dicebear.com/9.x/shapes/svg?seed=${slug}` : null;
        const meta = orgRng.chance(0.2)
          ? JSON.stringify({ plan: orgRng.pick(['team', 'business', 'enterprise']), seats: 5 + orgRng.int(200) })
          : null;
        if (sink.add(`${orgIds[g]}\t${S(name)}\t${S(slug)}\t${S(logo)}\t${S(meta)}\t${ts(orgCreated[g])}\n`)) await sink.flush();
      }
      await sink.flush();
    });
    progress('organization', O, O);
    endPhase('organization');

    progress('user', 0, U);
    await copyInto(client, 'COPY "user" (id, name, email, email_verified, image, created_at, updated_at) FROM STDIN', async (w) => {
      const sink = new Sink(w);
      const r = rng('user.row');
      for (let u = 0; u < U; u++) {
        const first = r.pick(pools.firstNames);
        const last = r.pick(pools.lastNames);
        const fl = emailLocal(first) || 'user';
        const ll = emailLocal(last) || 'x';
        const p = r.float();
        // the index suffix makes every address unique (the local parts carry no digits)
        const local = p < 0.5 ? `${fl}.${ll}${u}` : p < 0.8 ? `${fl[0]}${ll}${u}` : `${fl}${u}`;
        const email = `${local}@${r.pick(pools.emailDomains)}`;
        const image = userImage[u];
        const verified = (image !== null && image.startsWith('https://')) || r.chance(0.85);
        if (sink.add(
          `${userIds[u]}\t${S(first + ' ' + last)}\t${email}\t${verified ? 't' : 'f'}\t${S(image)}\t${ts(userCreated[u])}\t${ts(userUpdated[u])}\n`,
        )) await sink.flush();
        if ((u & 16383) === 0) progress('user', u, U);
      }
      await sink.flush();
    });
    progress('user', U, U);
    endPhase('user');

    progress('member', 0, M);
    await copyInto(client, 'COPY member (id, organization_id, user_id, role, created_at) FROM STDIN', async (w) => {
      const sink = new Sink(w);
      const idr = rng('member.id');
      const order = Int32Array.from({ length: M }, (_, i) => i).sort((a, b) => memAt[a] - memAt[b] || a - b);
      for (let j = 0; j < M; j++) {
        const i = order[j];
        if (sink.add(`${idr.id()}\t${orgIds[memOrg[i]]}\t${userIds[memUser[i]]}\t${memRole[i]}\t${ts(memAt[i])}\n`)) await sink.flush();
      }
      await sink.flush();
    });
    progress('member', M, M);
    endPhase('member');

    // ---- posts: plan ------------------------------------------------------------------------------
    const planRng = rng('posts.plan');
    const postOrg = new Int32Array(P);
    const postAt = new Float64Array(P);
    {
      // bigger organizations post more; a post comes after its organization exists.
      // Sort by time with one native sort on packed (time, org) keys.
      const bits = Math.max(1, Math.ceil(Math.log2(O)));
      const mul = 2 ** bits;
      if ((END - START + 1) * mul >= 2 ** 53) throw new Error('too many organizations for the packed sort');
      const sizeCum = cumulative(Float64Array.from(orgMembers, (m) => m.length));
      const keys = new Float64Array(P);
      for (let i = 0; i < P; i++) {
        const g = weighted(sizeCum, planRng);
        const from = orgCreated[g] + MINUTE;
        const at = from + Math.floor(planRng.float() * (END - from));
        keys[i] = (at - START) * mul + g;
      }
      keys.sort();
      for (let i = 0; i < P; i++) {
        const k = keys[i];
        const g = k % mul;
        postOrg[i] = g;
        postAt[i] = START + (k - g) / mul;
      }
    }
    // which posts have an image, and which edge case each image is
    const imgKind = new Uint8Array(P); // PK
    let imagePosts = 0;
    for (let i = 0; i < P; i++) if (planRng.chance(F.postsWithImage)) (imgKind[i] = PK.Normal), imagePosts++;
    const kindCount = new Map<PK, number>();
    {
      const kinds = new Uint8Array(imagePosts).fill(PK.Normal);
      let k = 0;
      const fill = (kind: PK, n: number) => {
        kindCount.set(kind, n);
        for (let i = 0; i < n; i++) kinds[k++] = kind;
      };
      const need =
        plant(F.duplicates, imagePosts) + plant(F.missing, imagePosts) + plant(F.otherOrg, imagePosts) +
        plant(F.urls, imagePosts, 2) + plant(F.blanks, imagePosts, 2) + plant(F.variants, imagePosts, 3) + plant(F.shared, imagePosts);
      if (need >= imagePosts) throw new Error(`scale too small: ${imagePosts} posts with an image cannot hold every post edge case`);
      fill(PK.Duplicate, plant(F.duplicates, imagePosts));
      fill(PK.Missing, plant(F.missing, imagePosts));
      fill(PK.OtherOrg, plant(F.otherOrg, imagePosts));
      fill(PK.Url, plant(F.urls, imagePosts, 2));
      fill(PK.Blank, plant(F.blanks, imagePosts, 2));
      fill(PK.Variant, plant(F.variants, imagePosts, 3));
      fill(PK.Shared, plant(F.shared, imagePosts));
      planRng.shuffle(kinds);
      let j = 0;
      for (let i = 0; i < P; i++) if (imgKind[i] !== PK.None) imgKind[i] = kinds[j++];
    }
    // e. each shared post reuses the key of a normal image post of its organization (an earlier one
    // when there is one); half of them join the organization's latest share group.
    const shareSource = new Map<number, number>(); // shared post -> source post
    const sourceKey = new Map<number, string>(); // source post -> key (filled lazily)
    {
      const normals: number[][] = Array.from({ length: O }, () => []);
      for (let i = 0; i < P; i++) if (imgKind[i] === PK.Normal) normals[postOrg[i]].push(i);
      const lastSource = new Int32Array(O).fill(-1);
      for (let i = 0; i < P; i++) {
        if (imgKind[i] !== PK.Shared) continue;
        const g = postOrg[i];
        const list = normals[g];
        if (list.length === 0) {
          imgKind[i] = PK.Normal; // nothing to share in this organization
          continue;
        }
        let src: number;
        if (lastSource[g] >= 0 && planRng.chance(0.5)) src = lastSource[g];
        else {
          let lo = 0;
          let hi = list.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (list[mid] < i) lo = mid + 1;
            else hi = mid;
          }
          src = lo > 0 ? list[planRng.int(lo)] : list[planRng.int(list.length)];
        }
        lastSource[g] = src;
        shareSource.set(i, src);
        sourceKey.set(src, '');
      }
      edge.posts.sharedKeys = new Set(shareSource.values()).size;
    }

    // ---- posts: rows (streamed) and their storage rows (buffered) ------------------------------
    progress('posts', 0, P);
    const postIds: string[] = new Array(P);
    await copyInto(client, 'COPY posts (id, organization_id, user_id, content, image_key, created_at, updated_at) FROM STDIN', async (w) => {
      const sink = new Sink(w);
      const idr = rng('posts.id');
      const r = rng('posts.row');
      const ir = rng('posts.image');
      const sentences = pools.sentences;
      const dupTotal = kindCount.get(PK.Duplicate) ?? 0;
      const tieCount = plant(F.duplicateTies, dupTotal);
      let dupOrdinal = 0;
      let urlOrdinal = 0;
      let blankOrdinal = 0;
      let variantOrdinal = 0;
      const newKey = (g: number): string => {
        const [ext] = pickExt(POST_EXT);
        return `org/${orgIds[g]}/posts/${ir.uuid()}.${ext}`;
      };
      const otherOrg = (g: number) => (g + 1 + ir.int(O - 1)) % O;
      const uploadAt = (at: number) => at - 5000 - ir.int(10 * MINUTE);
      /** an ordinary upload in organization g by user u; returns its key */
      const upload = (g: number, u: number, at: number, key = newKey(g)): string => {
        const ext = extOf(key);
        storageRow(key, uploadFileName(ext, at), uploadSize(ext), userIds[u], orgIds[g], uploadAt(at));
        return key;
      };

      for (let i = 0; i < P; i++) {
        const g = postOrg[i];
        const at = postAt[i];
        // author: a member who had joined by then; early members post more
        const join = orgJoin[g];
        let lo = 0;
        let hi = join.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (join[mid] <= at) lo = mid + 1;
          else hi = mid;
        }
        const u = orgMembers[g][Math.floor(Math.max(1, lo) * r.float() ** 1.3)];

        let content = sentences[r.int(sentences.length)];
        const extra = r.float();
        if (extra < 0.35) content += (extra < 0.05 ? '\n\n' : ' ') + sentences[r.int(sentences.length)];
        if (extra < 0.1) content += ' ' + sentences[r.int(sentences.length)];
        if (r.chance(0.06)) content += ' ' + pools.emojis[r.int(pools.emojis.length)];
        const updated = r.chance(0.12) ? Math.min(at + MINUTE + r.int(30 * DAY), END) : at;

        let image: string | null = null;
        switch (imgKind[i] as PK) {
          case PK.None:
            break;
          case PK.Normal: {
            const known = sourceKey.get(i);
            if (known === undefined) image = upload(g, u, at);
            else {
              image = known || newKey(g);
              sourceKey.set(i, image);
              upload(g, u, at, image);
            }
            break;
          }
          case PK.Shared: {
            const src = shareSource.get(i)!;
            let key = sourceKey.get(src)!;
            if (!key) {
              // the source post comes later: fix its key now, it uploads when it is generated
              key = newKey(g);
              sourceKey.set(src, key);
            }
            image = key;
            edge.posts.sharedImage++;
            break;
          }
          case PK.Duplicate: {
            image = newKey(g);
            const tie = dupOrdinal < tieCount;
            const base = uploadAt(at);
            const ext = extOf(image);
            const rows = duplicateGroup(image, uploadFileName(ext, at), uploadSize(ext), [userIds[u], userIds[randomMember(g, ir)]], orgIds[g], base, tie);
            edge.posts.duplicateKey++;
            edge.posts.duplicateStorageRows += rows;
            if (tie) edge.posts.duplicateTieGroups++;
            if (dupOrdinal % 4 === 0) {
              // an OLDER copy in another organization: a rule that ignores the organization picks it
              const g2 = otherOrg(g);
              storageRow(image, uploadFileName(ext, at), uploadSize(ext), userIds[randomMember(g2, ir)], orgIds[g2], base - HOUR - ir.int(30 * DAY));
              edge.posts.duplicateOtherOrgDecoys++;
            }
            dupOrdinal++;
            break;
          }
          case PK.Missing:
            image = newKey(g);
            edge.posts.missingKey++;
            break;
          case PK.OtherOrg: {
            const g2 = otherOrg(g);
            image = upload(g2, randomMember(g2, ir), at, newKey(g2));
            edge.posts.otherOrgOnly++;
            break;
          }
          case PK.Url: {
            if (urlOrdinal++ % 2 === 0) {
              // the full object-store URL of a real key of this organization
              const key = upload(g, u, at);
              image = `https://app-uploads-prod.s3.eu-central-1.amazonaws.com/${key}`;
            } else {
              image = `https://images.unsplash.com/photo-${1500000000000 + ir.int(200000000000)}-${ir.uuid().slice(24)}?w=1080&q=80`;
            }
            edge.posts.urls++;
            break;
          }
          case PK.Blank:
            image = blankOrdinal++ % 2 === 0 ? '' : '  ';
            edge.posts.blanks++;
            break;
          case PK.Variant: {
            const key = upload(g, u, at);
            const v = variantOrdinal++ % 3;
            image = v === 0 ? ' ' + key : v === 1 ? key + ' ' : key.toUpperCase();
            if (v === 0) edge.posts.leadingSpace++;
            else if (v === 1) edge.posts.trailingSpace++;
            else edge.posts.upperCase++;
            break;
          }
        }
        if (image !== null) edge.posts.withImage++;

        const id = idr.id();
        postIds[i] = id;
        if (sink.add(`${id}\t${orgIds[g]}\t${userIds[u]}\t${S(content)}\t${S(image)}\t${ts(at)}\t${ts(updated)}\n`)) await sink.flush();
        if ((i & 32767) === 0) progress('posts', i, P);
      }
      await sink.flush();
    });
    progress('posts', P, P);
    endPhase('posts');

    // f. uploads nothing references
    {
      const n = plant(F.orphans, imagePosts);
      const r = rng('storage.orphans');
      for (let j = 0; j < n; j++) {
        const g = weighted(orgCum, r);
        const at = orgCreated[g] + Math.floor(r.float() * (END - orgCreated[g]));
        const [ext] = pickExt(POST_EXT);
        const key = `org/${orgIds[g]}/posts/${r.uuid()}.${ext}`;
        storageRow(key, uploadFileName(ext, at), uploadSize(ext), userIds[randomMember(g, r)], orgIds[g], at);
      }
      edge.storage.orphanUploads = n;
    }

    progress('storage', 0, storage.rows);
    {
      await storage.flush();
      await copyInto(client, 'COPY storage (id, file_key, file_name, content_type, size, user_id, organization_id, created_at) FROM STDIN', async (w) => {
        const totalChars = storage.chunks.reduce((n, c) => n + c.length, 0);
        let doneChars = 0;
        for (const chunk of storage.chunks) {
          await w.write(chunk);
          doneChars += chunk.length;
          progress('storage', Math.round((storage.rows * doneChars) / totalChars), storage.rows);
        }
        storage.chunks.length = 0;
      });
    }
    progress('storage', storage.rows, storage.rows);
    endPhase('storage');

    // ---- likes: ~2 per post on average, by members of the post's organization ------------------
    progress('post_likes', 0, P);
    let likes = 0;
    await copyInto(client, 'COPY post_likes (post_id, user_id, created_at) FROM STDIN', async (w) => {
      const sink = new Sink(w);
      const r = rng('post_likes');
      const LN = Math.log(2 / 3); // geometric, mean 2
      const chosen: number[] = [];
      // Posts in id byte order, which is the primary key's order under the C collation: the index
      // then grows at its right edge instead of taking millions of random inserts (any collation
      // gives the same rows, only slower). Deterministic: the PRNG is drawn in this fixed order.
      const byId = Int32Array.from({ length: P }, (_, i) => i).sort((a, b) => (postIds[a] < postIds[b] ? -1 : 1));
      for (let j = 0; j < P; j++) {
        const i = byId[j];
        const members = orgMembers[postOrg[i]];
        const m = members.length;
        const k = Math.min(m, 60, Math.floor(Math.log(1 - r.float()) / LN));
        if (k === 0) continue;
        chosen.length = 0;
        if (k * 3 <= m) {
          while (chosen.length < k) {
            const x = members[r.int(m)];
            if (!chosen.includes(x)) chosen.push(x);
          }
        } else {
          const pool = Array.from(members);
          for (let j = 0; j < k; j++) {
            const x = j + r.int(m - j);
            const t = pool[j];
            pool[j] = pool[x];
            pool[x] = t;
            chosen.push(pool[j]);
          }
        }
        const at = postAt[i];
        const pid = postIds[i];
        for (const x of chosen) {
          const likedAt = Math.min(END, at + 1000 + Math.floor(-Math.log(1 - r.float()) * 0.7 * DAY));
          if (sink.add(`${pid}\t${userIds[x]}\t${ts(likedAt)}\n`)) await sink.flush();
        }
        likes += k;
        if ((j & 32767) === 0) progress('post_likes', j, P);
      }
      await sink.flush();
    });
    progress('post_likes', P, P);
    endPhase('post_likes');

    if (fastLoad) {
      progress('validate', 0, FOREIGN_KEYS.length);
      await client.query(`SET LOCAL session_replication_role = origin`);
      await client.query(`SET LOCAL work_mem = '128MB'`);
      let done = 0;
      for (const [table, col, ref] of FOREIGN_KEYS) {
        const t = pg.escapeIdentifier(table);
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${t} c WHERE c.${col} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ${pg.escapeIdentifier(ref)} r WHERE r.id = c.${col})`,
        );
        if (Number(rows[0].n) > 0) throw new Error(`seed bug: ${rows[0].n} row(s) of ${table}.${col} reference no ${ref}`);
        progress('validate', ++done, FOREIGN_KEYS.length);
      }
      endPhase('validate');
    }

    await client.query('COMMIT');
    endPhase('commit');

    progress('analyze', 0, 1);
    await client.query('ANALYZE organization, "user", member, storage, posts, post_likes');
    progress('analyze', 1, 1);
    endPhase('analyze');

    const ep = edge.posts;
    const postsUnmapped = ep.missingKey + ep.otherOrgOnly + ep.urls + ep.blanks + ep.leadingSpace + ep.trailingSpace + ep.upperCase;
    const eu = edge.users;
    const usersMapped = eu.storageAvatar + eu.orgUploadKey + eu.duplicateKey;
    return {
      options: { posts: P, seed: o.seed, now: new Date(END).toISOString(), fractions: { ...F } },
      rows: { organization: O, user: U, member: M, storage: storage.rows, posts: P, post_likes: likes },
      edgeCases: edge,
      expected: {
        postsMapped: ep.withImage - postsUnmapped,
        postsUnmapped,
        usersMapped,
        usersUnmapped: eu.withImage - usersMapped,
      },
      fkMode: fastLoad ? 'validated' : 'triggers',
      elapsedMs: Math.round(performance.now() - t0),
      phasesMs,
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

function randomBase64Url(r: Rng, n: number): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < n; i++) s += A[r.u32() & 63];
  return s;
}

const TABLES = ['organization', 'user', 'member', 'storage', 'posts', 'post_likes'] as const;

/** The baseline's foreign keys: [table, column, referenced table (its id)]. */
const FOREIGN_KEYS: [string, string, string][] = [
  ['member', 'organization_id', 'organization'],
  ['member', 'user_id', 'user'],
  ['storage', 'user_id', 'user'],
  ['storage', 'organization_id', 'organization'],
  ['posts', 'organization_id', 'organization'],
  ['posts', 'user_id', 'user'],
  ['post_likes', 'post_id', 'posts'],
  ['post_likes', 'user_id', 'user'],
];

/**
 * The baseline's tables must exist and be empty. Decides the load mode: foreign-key triggers off
 * and a set-based validation instead (fast) needs a superuser and no user triggers on the tables
 * (a migration's sync triggers must fire); otherwise row-by-row checks (slow but always allowed).
 */
async function preflight(client: pg.ClientBase): Promise<{ fastLoad: boolean }> {
  const { rows } = await client.query<{ t: string; present: boolean }>(
    `SELECT t, to_regclass(format('%I', t)) IS NOT NULL AS present FROM unnest($1::text[]) AS t`,
    [TABLES],
  );
  const missing = rows.filter((r) => !r.present).map((r) => r.t);
  if (missing.length) throw new Error(`baseline schema not loaded: missing table(s) ${missing.join(', ')}`);
  const parts = TABLES.map((t) => `(SELECT ${pg.escapeLiteral(t)} FROM ${pg.escapeIdentifier(t)} LIMIT 1)`);
  const { rows: nonEmpty } = await client.query<{ t: string }>(`SELECT t FROM (${parts.join(' UNION ALL ')}) AS x(t)`);
  if (nonEmpty.length) {
    throw new Error(`seed needs empty tables; already has rows: ${nonEmpty.map((r) => r.t).join(', ')}`);
  }
  const { rows: mode } = await client.query<{ superuser: boolean; user_triggers: string }>(
    `SELECT current_setting('is_superuser') = 'on' AS superuser,
            (SELECT count(*) FROM pg_trigger
              WHERE NOT tgisinternal AND tgrelid = ANY (SELECT to_regclass(format('%I', t)) FROM unnest($1::text[]) AS t)) AS user_triggers`,
    [TABLES],
  );
  return { fastLoad: mode[0].superuser && Number(mode[0].user_triggers) === 0 };
}
