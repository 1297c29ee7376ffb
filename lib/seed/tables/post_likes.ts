// The post_likes table: about 2 likes per post on average (geometric), by members of the post's
// organization, some time after the post.
import type { Rng } from '../../random.ts';
import { DAY, Sink, type SeedContext } from './context.ts';
import type { People } from './people.ts';
import type { PostPlan } from './posts.ts';

/** k distinct members out of `members` (rejection when k is small, a partial shuffle otherwise). */
function pickMembers(members: Int32Array, k: number, r: Rng, chosen: number[]): void {
  const m = members.length;
  chosen.length = 0;
  if (k * 3 <= m) {
    while (chosen.length < k) {
      const x = members[r.int(m)];
      if (!chosen.includes(x)) chosen.push(x);
    }
    return;
  }
  const pool = Array.from(members);
  for (let j = 0; j < k; j++) {
    const x = j + r.int(m - j);
    const t = pool[j];
    pool[j] = pool[x];
    pool[x] = t;
    chosen.push(pool[j]);
  }
}

const RADIX = 62;
/** The rank of each id character in code-unit order (0-9 < A-Z < a-z), which is how JS compares strings. */
const RANK = new Int8Array(128).fill(-1);
[...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'].forEach((ch, i) => (RANK[ch.charCodeAt(0)] = i));

/** The bucket of an id: its first `prefix` characters in base 62; -1 when it is not better-auth-shaped. */
function bucketOf(id: string, prefix: number): number {
  if (id.length < prefix) return -1;
  let key = 0;
  for (let k = 0; k < prefix; k++) {
    const c = id.charCodeAt(k);
    const r = c < 128 ? RANK[c] : -1;
    if (r < 0) return -1;
    key = key * RADIX + r;
  }
  return key;
}

/**
 * The indexes of `ids` in string order, as `.sort((a, b) => (ids[a] < ids[b] ? -1 : 1))` gives
 * them, without a JS comparator over all of them: that sort took 44 to 91 s for 10M ids, in a
 * phase where the server sits idle. A counting sort on the first 3 or 4 characters, then
 * the few ids of each bucket in full string order. Ids are better-auth's (a-z A-Z 0-9); any other
 * character takes the plain sort.
 */
export function orderById(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const cmp = (a: number, b: number) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0);
  // 62^4 buckets at millions of ids, 62^3 below: a few ids per bucket either way, and no 59 MB
  // table of counts to clear and scan for a small seed.
  const prefix = n < 2_000_000 ? 3 : 4;
  const bucket = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    bucket[i] = bucketOf(ids[i], prefix);
    if (bucket[i] < 0) return Int32Array.from({ length: n }, (_, j) => j).sort(cmp);
  }
  const start = new Int32Array(RADIX ** prefix + 1);
  for (let i = 0; i < n; i++) start[bucket[i] + 1]++;
  for (let b = 1; b < start.length; b++) start[b] += start[b - 1];
  const out = new Int32Array(n);
  const next = start.slice(0, -1);
  for (let i = 0; i < n; i++) out[next[bucket[i]]++] = i;
  // Within a bucket (0.7 ids on average at 10M): insertion sort by the whole id.
  for (let j = 0; j < n; ) {
    const e = start[bucket[out[j]] + 1];
    for (let x = j + 1; x < e; x++) {
      const v = out[x];
      let y = x - 1;
      while (y >= j && ids[out[y]] > ids[v]) out[y + 1] = out[y--];
      out[y + 1] = v;
    }
    j = e;
  }
  return out;
}

/** One chunk of the likes: posts in id order, with their organizations and times. */
export interface LikeTask {
  k: number;
  ids: string[];
  org: Int32Array;
  at: Float64Array;
}

export interface LikeChunk {
  k: number;
  text: Buffer[];
  likes: number;
}

export interface LikeEnv {
  ctx: SeedContext;
  people: Pick<People, 'userIds' | 'orgMembers'>;
}

/** The likes of one chunk of posts: the same task gives the same bytes, in any thread. */
export function likeChunk(env: LikeEnv, t: LikeTask): LikeChunk {
  const { ctx, people } = env;
  const r = ctx.rng(`post_likes/${t.k}`);
  const LN = Math.log(2 / 3); // geometric, mean 2
  const chosen: number[] = [];
  const out = new Sink(null); // Buffers every MiB (see postChunk)
  let likes = 0;
  for (let j = 0; j < t.ids.length; j++) {
    const members = people.orgMembers[t.org[j]];
    const k = Math.min(members.length, 60, Math.floor(Math.log(1 - r.float()) / LN));
    if (k === 0) continue;
    pickMembers(members, k, r, chosen);
    const at = t.at[j];
    for (const x of chosen) {
      const likedAt = Math.min(ctx.END, at + 1000 + Math.floor(-Math.log(1 - r.float()) * 0.7 * DAY));
      out.add(`${t.ids[j]}\t${people.userIds[x]}\t${ctx.ts(likedAt)}\n`);
    }
    likes += k;
  }
  return { k: t.k, text: out.take(), likes };
}

/**
 * The tasks of the likes, `chunk` posts at a time, in id order: the byte order of the primary key
 * under the C collation, so its index grows at its right edge instead of taking millions of random
 * inserts (any collation gives the same rows, only slower).
 */
export function* likeTasks(plan: Pick<PostPlan, 'postOrg' | 'postAt'>, postIds: string[], chunk: number): Generator<LikeTask> {
  const byId = orderById(postIds);
  const P = postIds.length;
  for (let k = 0, start = 0; start < P; k++, start += chunk) {
    const n = Math.min(P, start + chunk) - start;
    const t: LikeTask = { k, ids: new Array(n), org: new Int32Array(n), at: new Float64Array(n) };
    for (let j = 0; j < n; j++) {
      const i = byId[start + j];
      t.ids[j] = postIds[i];
      t.org[j] = plan.postOrg[i];
      t.at[j] = plan.postAt[i];
    }
    yield t;
  }
}
