// The member table, in join order.
import type pg from 'pg';
import { copyInto } from '../copy.ts';
import { Sink, type SeedContext } from './context.ts';
import type { People } from './people.ts';

export async function copyMembers(ctx: SeedContext, client: pg.ClientBase, people: People): Promise<number> {
  const m = people.members;
  const M = m.user.length;
  ctx.progress('member', 0, M);
  await copyInto(client, ctx.copySql('COPY member (id, organization_id, user_id, role, created_at) FROM STDIN'), async (w) => {
    const sink = new Sink(w);
    const idr = ctx.rng('member.id');
    const order = Int32Array.from({ length: M }, (_, i) => i).sort((a, b) => m.at[a] - m.at[b] || a - b);
    for (let j = 0; j < M; j++) {
      const i = order[j];
      if (sink.add(`${idr.id()}\t${people.orgIds[m.org[i]]}\t${people.userIds[m.user[i]]}\t${m.role[i]}\t${ctx.ts(m.at[i])}\n`)) await sink.flush();
    }
    await sink.flush();
  });
  ctx.progress('member', M, M);
  return M;
}
