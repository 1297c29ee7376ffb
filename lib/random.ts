// The project's one random generator (sfc32; the seeder's rows and the online clients' choices
// are reproducible from a seed), the retry backoff, and the statistics the reports print.

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

/** sfc32, seeded from (seed, stream): every stream is independent and reproducible. */
export class Rng {
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

/** Exponential backoff with full jitter, capped at 30 s (make migrate's retries). */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(30_000, baseMs * 2 ** attempt));
}

/** The q-quantile (0..1) of ascending values, interpolated linearly between order statistics (as tinybench does); NaN for none. */
export function percentile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
