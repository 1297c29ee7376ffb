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

/** Streams the likes; returns how many. */
export async function copyPostLikes(ctx: SeedContext, client: pg.ClientBase, people: People, plan: PostPlan, postIds: string[]): Promise<number> {
  const { P, END } = ctx;
  let likes = 0;
  ctx.progress('post_likes', 0, P);
  await copyInto(client, 'COPY post_likes (post_id, user_id, created_at) FROM STDIN', async (w) => {
    const sink = new Sink(w);
    const r = ctx.rng('post_likes');
    const LN = Math.log(2 / 3); // geometric, mean 2
    const chosen: number[] = [];
    // Posts in id byte order, which is the primary key's order under the C collation: the index
    // then grows at its right edge instead of taking millions of random inserts (any collation
    // gives the same rows, only slower). Deterministic: the PRNG is drawn in this fixed order.
    const byId = Int32Array.from({ length: P }, (_, i) => i).sort((a, b) => (postIds[a] < postIds[b] ? -1 : 1));
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
