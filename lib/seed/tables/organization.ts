// The organization table: names from the company pool, unique slugs, some logos and metadata.
import type pg from 'pg';
import { copyInto } from '../copy.ts';
import { S, Sink, slugify, type SeedContext } from './context.ts';
import type { People } from './people.ts';

export async function copyOrganizations(ctx: SeedContext, client: pg.ClientBase, people: People): Promise<void> {
  const { O, pools } = ctx;
  const r = people.orgRng;
  ctx.progress('organization', 0, O);
  await copyInto(client, ctx.copySql('COPY organization (id, name, slug, logo, metadata, created_at) FROM STDIN'), async (w) => {
    const sink = new Sink(w);
    const slugs = new Set<string>();
    for (let g = 0; g < O; g++) {
      const name = r.pick(pools.companies);
      let slug = slugify(name) || 'org';
      for (let n = 2; slugs.has(slug); n++) slug = `${slugify(name) || 'org'}-${n}`;
      slugs.add(slug);
      const logo = r.chance(0.3) ? `https://api.dicebear.com/9.x/shapes/svg?seed=${slug}` : null;
      const meta = r.chance(0.2)
        ? JSON.stringify({ plan: r.pick(['team', 'business', 'enterprise']), seats: 5 + r.int(200) })
        : null;
      if (sink.add(`${people.orgIds[g]}\t${S(name)}\t${S(slug)}\t${S(logo)}\t${S(meta)}\t${ctx.ts(people.orgCreated[g])}\n`)) await sink.flush();
    }
    await sink.flush();
  });
  ctx.progress('organization', O, O);
}
