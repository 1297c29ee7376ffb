// The post_likes table: about 2 likes per post on average (geometric), by members of the post's
// organization, some time after the post.
import type pg from 'pg';
import type { Rng } from '../../random.ts';
import { copyInto } from '../copy.ts';
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

const PREFIX = 4;
const RADIX = 62;
/** The rank of each id character in code-unit order (0-9 < A-Z < a-z), which is how JS compares strings. */
const RANK = new Int8Array(128).fill(-1);
[...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'].forEach((ch, i) => (RANK[ch.charCodeAt(0)] = i));

/** The bucket of an id: its first 4 characters in base 62; -1 when it is not better-auth-shaped. */
function bucketOf(id: string): number {
  if (id.length < PREFIX) return -1;
  let key = 0;
  for (let k = 0; k < PREFIX; k++) {
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
 * phase where the server sits idle. A counting sort on the first 4 characters (62^4 buckets), then
 * the few ids of each bucket in full string order. Ids are better-auth's (a-z A-Z 0-9); any other
 * character takes the plain sort.
 */
export function orderById(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const cmp = (a: number, b: number) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0);
  const bucket = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    bucket[i] = bucketOf(ids[i]);
    if (bucket[i] < 0) return Int32Array.from({ length: n }, (_, j) => j).sort(cmp);
  }
  const start = new Int32Array(RADIX ** PREFIX + 1);
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

/** Streams the likes; returns how many. */
export async function copyPostLikes(ctx: SeedContext, client: pg.ClientBase, people: People, plan: PostPlan, postIds: string[]): Promise<number> {
  const { P, END } = ctx;
  let likes = 0;
  ctx.progress('post_likes', 0, P);
  await copyInto(client, ctx.copySql('COPY post_likes (post_id, user_id, created_at) FROM STDIN'), async (w) => {
    const sink = new Sink(w);
    const r = ctx.rng('post_likes');
    const LN = Math.log(2 / 3); // geometric, mean 2
    const chosen: number[] = [];
    // Posts in id byte order, which is the primary key's order under the C collation: the index
    // then grows at its right edge instead of taking millions of random inserts (any collation
    // gives the same rows, only slower). Deterministic: the PRNG is drawn in this fixed order.
    const byId = orderById(postIds);
    for (let j = 0; j < P; j++) {
      const i = byId[j];
      const members = people.orgMembers[plan.postOrg[i]];
      const k = Math.min(members.length, 60, Math.floor(Math.log(1 - r.float()) / LN));
      if (k === 0) continue;
      pickMembers(members, k, r, chosen);
      const at = plan.postAt[i];
      for (const x of chosen) {
        const likedAt = Math.min(END, at + 1000 + Math.floor(-Math.log(1 - r.float()) * 0.7 * DAY));
        if (sink.add(`${postIds[i]}\t${people.userIds[x]}\t${ctx.ts(likedAt)}\n`)) await sink.flush();
      }
      likes += k;
      if ((j & 32767) === 0) ctx.progress('post_likes', j, P);
    }
    await sink.flush();
  });
  ctx.progress('post_likes', P, P);
  return likes;
}
