// The Drizzle feed (app/model/feed.ts) beside the raw SQL feed (sql/queries/feed.sql), on the
// migrated database, on one connection: the same pages, the same cursor, both as prepared
// statements. Target: Drizzle p50 within 1.2x of raw p50.
//
// The two alternate call by call, not in rounds: the difference to find is a fraction of a
// millisecond, less than the swings a shared machine's load makes between two rounds.
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Db } from '../app/model/db.ts';
import { getFeed, type FeedCursor } from '../app/model/feed.ts';
import { sqlText } from '../lib/sql.ts';
import { connect } from './db.ts';
import { summarize, type Latency } from './measure.ts';
import type { Target } from './target.ts';

export const DRIZZLE_FEED_MAX_RATIO = 1.2;

export interface DrizzleFeedPage {
  name: string;
  raw: Latency;
  drizzle: Latency;
  /** drizzle p50 / raw p50 */
  ratio: number;
}

export interface DrizzleFeedResult {
  /** sampling time of each page, both sides together, ms */
  timeMs: number;
  pages: DrizzleFeedPage[];
}

export interface DrizzleFeedOptions {
  org: string;
  viewer: string;
  pageSize: number;
  /** the deep page's number, reached by following the cursor */
  deepPage: number;
  /** sampling time of each page, both sides together, ms */
  timeMs: number;
  warmupMs: number;
}

/** Times a and b alternately (who goes first alternates too) for timeMs, after warmupMs of both. */
async function alternate(a: () => Promise<unknown>, b: () => Promise<unknown>, timeMs: number, warmupMs: number) {
  const samples = { a: [] as number[], b: [] as number[] };
  const time = async (fn: () => Promise<unknown>, into: number[] | null) => {
    const t = performance.now();
    await fn();
    into?.push(performance.now() - t);
  };
  for (let end = performance.now() + warmupMs; performance.now() < end; ) {
    await time(a, null);
    await time(b, null);
  }
  for (let i = 0, end = performance.now() + timeMs; performance.now() < end || i < 40; i++) {
    const [first, second] = i % 2 === 0 ? ([[a, samples.a], [b, samples.b]] as const) : ([[b, samples.b], [a, samples.a]] as const);
    await time(...first);
    await time(...second);
  }
  return { a: summarize(samples.a), b: summarize(samples.b) };
}

/** The cursor of page n (1 = none), followed through the Drizzle feed. */
async function cursorOfPage(db: Db, o: DrizzleFeedOptions, n: number): Promise<FeedCursor | null> {
  let cursor: FeedCursor | null = null;
  for (let page = 1; page < n; page++) cursor = (await getFeed(db, { organizationId: o.org, viewerId: o.viewer, cursor, limit: o.pageSize })).nextCursor;
  return cursor;
}

export async function benchDrizzleFeed(url: string, o: DrizzleFeedOptions, log: (line: string) => void): Promise<DrizzleFeedResult> {
  const c = await connect(url);
  try {
    const db = drizzle(c);
    const text = sqlText('queries/feed.sql');
    const pages: DrizzleFeedPage[] = [];
    for (const [name, n] of [['feed, first page', 1], [`feed, page ${o.deepPage}`, o.deepPage]] as const) {
      const cursor = await cursorOfPage(db, o, n);
      const req = { organizationId: o.org, viewerId: o.viewer, cursor, limit: o.pageSize };
      const values = [o.org, o.viewer, cursor?.createdAt ?? null, cursor?.id ?? null, o.pageSize];
      const raw = () => c.query({ name: `raw_feed_${n}`, text, values });
      const orm = () => getFeed(db, req);
      // the two must answer the same page, or the comparison means nothing
      const [r, d] = [(await raw()).rows.map((x) => x.id), (await orm()).items.map((x) => x.id)];
      if (r.length !== o.pageSize || r.join() !== d.join()) throw new Error(`${name}: the Drizzle feed and feed.sql return different pages`);
      log(`Drizzle feed against feed.sql: ${name}, alternating for ${o.timeMs} ms`);
      const m = await alternate(raw, orm, o.timeMs, o.warmupMs);
      pages.push({ name, raw: m.a, drizzle: m.b, ratio: m.b.p50 / m.a.p50 });
    }
    return { timeMs: o.timeMs, pages };
  } finally {
    await c.end();
  }
}

const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(3));

export function drizzleFeedTargets(r: DrizzleFeedResult | undefined): Target[] {
  return (r?.pages ?? []).map((p) => ({
    name: `${p.name}: Drizzle p50 <= ${DRIZZLE_FEED_MAX_RATIO}x raw SQL p50 (alternating call by call)`,
    measured: `${p.ratio.toFixed(2)}x (Drizzle ${ms(p.drizzle.p50)} ms, raw ${ms(p.raw.p50)} ms)`,
    pass: Number(p.ratio.toFixed(2)) <= DRIZZLE_FEED_MAX_RATIO, // judged as printed
  }));
}

export function printDrizzleFeed(r: DrizzleFeedResult | undefined): string {
  if (!r) return '';
  const lines = r.pages.map(
    (p) =>
      `  ${p.name}: Drizzle p50 ${ms(p.drizzle.p50)} / raw p50 ${ms(p.raw.p50)} ms = ${p.ratio.toFixed(2)}x ` +
      `${Number(p.ratio.toFixed(2)) <= DRIZZLE_FEED_MAX_RATIO ? 'PASS' : 'MISS'} (p99 ${ms(p.drizzle.p99)} / ${ms(p.raw.p99)} ms, ` +
      `${p.drizzle.samples}/${p.raw.samples} samples)`,
  );
  return `Drizzle feed (app/model) against feed.sql, alternating call by call for ${r.timeMs} ms a page, one connection:\n${lines.join('\n')}`;
}
