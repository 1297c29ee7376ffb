// Issue 12 case 7, second bullet: a long transaction holds posts while a DDL step of the pack
// needs a lock that conflicts with it. However the pack waits (short lock attempts with backoff,
// or one long one), an app SELECT must never queue behind its request for longer than the
// per-statement budget. Today a step queues one ACCESS EXCLUSIVE request for its whole
// lock_timeout, and every later SELECT on posts waits behind it.
import { describe, it, expect } from 'vitest';
import { baselineDb, connect } from './db.ts';
import { bulkPosts } from './bulk.ts';
import { migrate, migrationNames } from '../../lib/migrate.ts';
import { stepsOf } from '../../lib/plan.ts';
import { APP_BUDGET_MS } from '../online.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The budget plus room for a noisy shared machine. */
const LIMIT_MS = APP_BUDGET_MS + 150;
/** How long the long transaction holds posts once the step has started. */
const HOLD_MS = 2000;

interface Outcome { ok: boolean; at: number; code?: string; message?: string }

/**
 * Runs one migration (up 1) while a transaction that has read posts stays open for HOLD_MS and
 * another client reads posts every 20 ms. Returns the reads made while the step ran, when the
 * holder committed, and how the step ended.
 */
async function stepBehindLongTransaction(url: string) {
  const holder = await connect(url);
  const app = await connect(url);
  await holder.query('BEGIN');
  await holder.query('SELECT 1 FROM posts LIMIT 1'); // ACCESS SHARE on posts until COMMIT
  const reads: { at: number; ms: number }[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const t0 = performance.now();
      await app.query({ name: 'probe', text: 'SELECT id, content FROM posts WHERE id = $1', values: ['p00000001'] });
      reads.push({ at: t0, ms: performance.now() - t0 });
      await sleep(20);
    }
  })();
  try {
    await sleep(200);
    const started = performance.now();
    const step = migrate(url, { direction: 'up', count: 1 }).then(
      (): Outcome => ({ ok: true, at: performance.now() }),
      (e): Outcome => ({ ok: false, at: performance.now(), code: e.code, message: e.message }),
    );
    await sleep(HOLD_MS);
    const released = performance.now();
    await holder.query('COMMIT');
    const outcome = await step;
    await sleep(100);
    return { reads: reads.filter((r) => r.at >= started && r.at <= outcome.at), started, released, outcome };
  } finally {
    probing = false;
    await prober;
    await holder.end();
    await app.end();
  }
}

async function columnExists(url: string, table: string, column: string): Promise<boolean> {
  const c = await connect(url);
  try {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`, [table, column]);
    return rows[0].n === 1;
  } finally {
    await c.end();
  }
}

const names = migrationNames();
const contract = names.indexOf(stepsOf('contract')[0]); // the posts contract

describe('an app SELECT never waits long behind the pack queued on a long transaction (issue 12 case 7)', () => {
  it.each([
    { step: names[0], before: 0, applied: (url: string) => columnExists(url, 'posts', 'image_id') },
    { step: names[contract], before: contract, applied: async (url: string) => !(await columnExists(url, 'posts', 'image_key')) },
  ])('$step: reads stay within the budget while it waits; it then succeeds, or fails on its lock timeout having changed nothing', async ({ before, applied }) => {
    const url = await baselineDb();
    await bulkPosts(url, 2000);
    if (before) await migrate(url, { direction: 'up', count: before });

    const { reads, released, outcome } = await stepBehindLongTransaction(url);
    const slowest = Math.max(0, ...reads.map((r) => r.ms));
    console.log(`${reads.length} reads while the step ran, slowest ${slowest.toFixed(1)} ms; the step ${outcome.ok ? 'succeeded' : `failed: ${outcome.code} ${outcome.message}`} ${Math.round(outcome.at - released)} ms after the holder committed`);

    expect(slowest).toBeLessThanOrEqual(LIMIT_MS);
    expect(reads.length).toBeGreaterThan(20); // the reads went on while the step waited
    if (outcome.ok) {
      expect(outcome.at).toBeGreaterThan(released); // it could not finish while the holder held posts
      expect(await applied(url)).toBe(true);
    } else {
      expect(`${outcome.code} ${outcome.message}`).toMatch(/55P03|lock timeout/i);
      expect(await applied(url)).toBe(false);
    }
  });
});
