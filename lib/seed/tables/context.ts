// What every table generator of the seeder shares: the resolved options, the time window, the
// PRNG streams, the word pools, the COPY sink, and the edge-case counts the summary reports.
// Each generator takes this context (and the plans of the tables it depends on), never locals.
import { Faker, base, en } from '@faker-js/faker';
import { Rng } from '../../random.ts';
import { copyText, type CopyWriter } from '../copy.ts';
import type { SeedFractions, SeedOptions, SeedSummary } from './types.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const PAD2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** COPY text of one value (NULL as \N). */
export const S = copyText;

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

export interface Pools {
  firstNames: string[];
  lastNames: string[];
  companies: string[];
  emailDomains: string[];
  sentences: string[];
  emojis: string[];
  nouns: string[];
}

/** Small pools of names and sentences from faker (fixed seed); rows sample them with the PRNG. */
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

/** Bytes per piece of COPY text; a piece's Buffer has room for one more line of up to SLACK bytes. */
const PIECE = 1 << 20;
const SLACK = 64 << 10;

/**
 * Accumulates COPY text as UTF-8 in ~1 MiB Buffers, each line written straight into one: streams
 * them to a writer, or (writer null) keeps them, off the JS heap. Lines never pile up as strings,
 * which the garbage collector would copy and sweep (3x the generation's time at 32k-post chunks).
 */
export class Sink {
  rows = 0;
  private buf = Buffer.allocUnsafe(PIECE + SLACK);
  private len = 0;
  readonly chunks: Buffer[] = [];
  constructor(private writer: CopyWriter | null) {}
  /** Adds one line; true when a flush is due (streaming sinks). */
  add(line: string): boolean {
    if (this.len + line.length * 3 > this.buf.length) this.rotate(line.length * 3);
    this.len += this.buf.write(line, this.len);
    this.rows++;
    if (this.len < PIECE) return false;
    if (this.writer) return true;
    this.rotate(0);
    return false;
  }
  /** Moves the filled part to `chunks` and starts a Buffer with room for `need` more bytes. */
  private rotate(need: number): void {
    if (this.len) this.chunks.push(this.buf.subarray(0, this.len));
    this.buf = Buffer.allocUnsafe(Math.max(PIECE + SLACK, need));
    this.len = 0;
  }
  /** Everything a buffering sink holds, in pieces; the sink is empty afterwards (rows stays). */
  take(): Buffer[] {
    this.rotate(0);
    return this.chunks.splice(0);
  }
  /** Keeps finished pieces of COPY text (a buffering sink), after what add() has pending. */
  append(pieces: Buffer[], rows: number): void {
    if (this.writer) throw new Error('append() is for buffering sinks');
    this.rotate(0);
    this.chunks.push(...pieces);
    this.rows += rows;
  }
  async flush(): Promise<void> {
    if (!this.len) return;
    const b = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(PIECE + SLACK);
    this.len = 0;
    if (this.writer) await this.writer.write(b);
    else this.chunks.push(b);
  }
}

export interface SeedContext {
  readonly options: SeedOptions;
  readonly F: SeedFractions;
  readonly pools: Pools;
  /** a timestamptz literal for epoch ms */
  readonly ts: (ms: number) => string;
  /** the PRNG stream of this name (same seed and name: same numbers) */
  readonly rng: (stream: string) => Rng;
  /** the data's one-year window, epoch ms */
  readonly START: number;
  readonly END: number;
  /** posts, organizations, users */
  readonly P: number;
  readonly O: number;
  readonly U: number;
  /** what was planted, counted as it is written (SeedSummary.edgeCases) */
  readonly edge: SeedSummary['edgeCases'];
  readonly progress: (phase: string, done: number, total: number) => void;
  /** ends the timing of one phase (SeedSummary.phasesMs) */
  readonly endPhase: (name: string) => void;
  readonly phasesMs: Record<string, number>;
  /** a `COPY ... FROM STDIN` with the load's options: FREEZE in the fast load (see load.ts) */
  readonly copySql: (copy: string) => string;
}

function emptyEdgeCases(): SeedSummary['edgeCases'] {
  return {
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
}

export function createContext(o: SeedOptions, load: { freeze: boolean } = { freeze: false }): SeedContext {
  const tf = new TimeFormatter();
  const phasesMs: Record<string, number> = {};
  let phaseStart = performance.now();
  const END = Date.parse(o.now);
  return {
    options: o,
    F: o.fractions,
    pools: buildPools(o.seed),
    ts: (ms) => tf.fmt(ms),
    rng: (stream) => new Rng(o.seed, stream),
    END,
    START: END - 365 * DAY,
    P: o.posts,
    O: Math.max(4, Math.round(o.posts / 10_000)),
    U: Math.max(40, Math.round(o.posts / 10)),
    edge: emptyEdgeCases(),
    progress: (phase, done, total) => o.onProgress?.({ phase, done, total }),
    endPhase: (name) => {
      const now = performance.now();
      phasesMs[name] = Math.round(now - phaseStart);
      phaseStart = now;
    },
    phasesMs,
    copySql: (copy) => (load.freeze ? `${copy} WITH (FREEZE)` : copy),
  };
}

/** How many rows of a kind to plant: round(frac x base), at least `min` when frac > 0. */
export function plant(frac: number, baseCount: number, min = 1): number {
  if (frac <= 0) return 0;
  return Math.max(min, Math.round(frac * baseCount));
}

export const cumulative = (w: Float64Array): Float64Array => {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += w[i];
  return c;
};

/** An index drawn with the weights whose running sums are `cum`. */
export const weighted = (cum: Float64Array, r: Rng): number => {
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

export function slugify(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function emailLocal(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z]+/g, '');
}

export function randomBase64Url(r: Rng, n: number): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < n; i++) s += A[r.u32() & 63];
  return s;
}
