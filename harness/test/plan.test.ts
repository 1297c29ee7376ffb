// The feed's plan guard at scale: 100k seeded posts, the whole pack, then the feed's plans (the
// generic plan a prepared statement settles on, and the custom plan for the values) must reach
// every table by index. The same guard is shown to fail on the feed written the naive way.
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type pg from 'pg';
import { baselineDb, connect } from './db.ts';
import { migrate } from '../../lib/migrate.ts';
import { sqlText } from '../../lib/sql.ts';
import { seed } from '../../lib/seed/seed.ts';
import { explainPrepared, feedPlanViolations, nodes, planOutline, type PlanMode } from '../../lib/query-plan.ts';
import { fillPlaceholders } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { feedQuery, feedValues } from '../../app/model/feed.ts';

const POSTS = 100_000;
const FEED = sqlText('queries/feed.sql');
const NAIVE = sqlText('queries/naive/feed.sql');
const FEED_PARAMS = fs.readFileSync(path.join(import.meta.dirname, '../../bench/sql/feed_params.sql'), 'utf8');
const MODES: PlanMode[] = ['generic', 'custom'];

describe(`feed plan at ${POSTS.toLocaleString('en-US')} posts`, () => {
  let c: pg.Client;
  let first: unknown[];
  let deep: unknown[];

  beforeAll(async () => {
    const url = await baselineDb();
    const s = await connect(url);
    const summary = await seed(s, { posts: POSTS }); // ends with ANALYZE
    await s.end();
    expect(summary.rows.post_likes).toBeGreaterThan(POSTS); // ~2 likes a post, up to 60
    await migrate(url, { direction: 'up' });
    c = await connect(url);
    const { rows } = await c.query(FEED_PARAMS);
    const { organization_id: org, viewer_id: viewer } = rows[0];
    first = [org, viewer, null, null, 20];
    // a deep page: the cursor after ten pages, reached by following it
    let cursor: { created_at: Date; id: string } | null = null;
    for (let page = 0; page < 10; page++) {
      const r: pg.QueryResult = await c.query(FEED, [org, viewer, cursor?.created_at ?? null, cursor?.id ?? null, 20]);
      expect(r.rows.length).toBe(20);
      cursor = r.rows[19];
    }
    deep = [org, viewer, cursor!.created_at, cursor!.id, 20];
  }, 180_000);

  afterAll(async () => {
    await c?.end();
  });

  for (const mode of MODES) {
    it(`${mode} plan, first and deep page: the feed index, storage and post_likes by primary key, no seq scan, no hashed subplan`, async () => {
      for (const values of [first, deep]) {
        const plan = await explainPrepared(c, FEED, values, mode);
        expect(feedPlanViolations(plan, { storageLookups: 2 }), planOutline(plan)).toEqual([]);
      }
    });
  }

  it("both storage lookups, generic and custom, first and deep page, are SubPlans through 03's storage_id_hash_idx", async () => {
    for (const mode of MODES) {
      for (const values of [first, deep]) {
        const plan = await explainPrepared(c, FEED, values, mode);
        const storage = [...nodes(plan)].filter((n) => n['Relation Name'] === 'storage');
        const seen = storage.map((n) => `${n['Parent Relationship']}: ${n['Node Type']} using ${n['Index Name']}`);
        expect(seen, `${mode}:\n${planOutline(plan)}`).toEqual(Array(2).fill('SubPlan: Index Scan using storage_id_hash_idx'));
      }
    }
  });

  it('the Drizzle feed (app/model/feed.ts) gets the plan feed.sql gets, generic and custom, first and deep page', async () => {
    const q = feedQuery(drizzle.mock()).toSQL();
    for (const [org, viewer, at, id, limit] of [first, deep] as [string, string, Date | null, string | null, number][]) {
      const cursor = at && id ? { createdAt: at.toISOString(), id } : null;
      const values = fillPlaceholders(q.params, feedValues({ organizationId: org, viewerId: viewer, cursor, limit }));
      const cost: Record<string, number> = {};
      for (const mode of MODES) {
        const plan = await explainPrepared(c, q.sql, values, mode);
        expect(feedPlanViolations(plan, { storageLookups: 2 }), `${mode}:\n${planOutline(plan)}`).toEqual([]);
        expect(planOutline(plan), mode).toBe(planOutline(await explainPrepared(c, FEED, [org, viewer, at, id, limit], mode)));
        cost[mode] = Number(plan['Total Cost']);
      }
      // the plan cache keeps a generic plan only if it looks no dearer than the custom ones: a
      // LIMIT $n in the CTE (Drizzle's default for .limit(100)) triples it, and every call is re-planned
      expect(cost.generic).toBeLessThanOrEqual(cost.custom);
    }
  });

  it('the guard can fail: the naive feed (correlated EXISTS, no index on post_likes.user_id) seq-scans post_likes in a hashed subplan', async () => {
    // the precondition of the bad plan: nothing indexes post_likes by user_id first
    const idx = await c.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'post_likes'`);
    expect(idx.rows.map((r) => r.indexdef).filter((d: string) => /\(user_id/.test(d))).toEqual([]);
    for (const mode of MODES) {
      const plan = await explainPrepared(c, NAIVE, first, mode);
      const found = feedPlanViolations(plan, { storageLookups: 2 });
      expect(found.some((m) => m.startsWith('Seq Scan on post_likes')), `${mode}:\n${planOutline(plan)}`).toBe(true);
      expect(found.some((m) => m.startsWith('hashed SubPlan')), `${mode}:\n${planOutline(plan)}`).toBe(true);
    }
    // and it is a real alternative: the same rows as the feed
    const good = await c.query(FEED, first);
    const naive = await c.query(NAIVE, first);
    expect(naive.rows).toEqual(good.rows);
    expect(good.rows.some((r) => r.has_liked)).toBe(true);
    expect(good.rows.some((r) => r.image_key !== null)).toBe(true);
  });
});
