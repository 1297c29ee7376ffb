// The pack under live traffic (harness/online.ts, make verify-online), at 30k posts to stay fast:
// old-app writers, new-app writers and feed readers run through every step up to the contract,
// then readers through the contract and its down.
import { describe, it, expect } from 'vitest';
import { baselineDb, connect } from './db.ts';
import { runOnline, formatOnlineReport, APP_BUDGET_MS } from '../online.ts';
import { migrationNames } from '../migrate.ts';
import { seed } from '../../seeds/seed.ts';

const POSTS = 30_000;

describe('online: the pack under live traffic', () => {
  it('no app statement fails or waits past the lock budget, and every transition invariant holds', async () => {
    const url = await baselineDb();
    const c = await connect(url);
    await seed(c, { posts: POSTS });
    await c.end();

    const r = await runOnline(url, { warmupMs: 300 });
    console.log(formatOnlineReport(r));

    expect(r.error).toBeUndefined();
    expect(r.posts).toBe(POSTS);
    expect(r.errorExamples).toEqual([]);
    expect(r.errors).toBe(0);

    // Every migration ran with traffic on, in order, then the contract's downs.
    const names = migrationNames();
    const firstContract = names.findIndex((n) => n.includes('contract'));
    const migrated = r.steps.map((s) => s.step).filter((s) => names.includes(s) || s.startsWith('down '));
    expect(migrated).toEqual([...names, ...names.slice(firstContract).reverse().map((n) => `down ${n}`)]);

    // The traffic was real: both app versions wrote, and both feeds were read, while the backfill ran.
    const backfill = r.steps.find((s) => s.step.includes('backfill'))!;
    expect(backfill.byKind['old-app write'] ?? 0).toBeGreaterThan(20);
    expect(backfill.byKind['new-app write'] ?? 0).toBeGreaterThan(20);
    expect(backfill.byKind['old-app read'] ?? 0).toBeGreaterThan(20);
    expect(backfill.byKind['new-app read'] ?? 0).toBeGreaterThan(20);
    expect(r.touched.posts).toBeGreaterThan(200);
    expect(r.touched.user).toBeGreaterThan(20);

    // Lock waits: no app statement outlived the DDL lock_timeout in any step held to it.
    for (const s of r.steps.filter((x) => x.budgetMs !== null)) expect({ step: s.step, max: s.max <= APP_BUDGET_MS }).toEqual({ step: s.step, max: true });
    expect(r.maxBudgetedMs).toBeLessThanOrEqual(APP_BUDGET_MS);
    expect(r.steps.every((s) => s.ok)).toBe(true);

    expect(r.checks.map((x) => `${x.name}: ${x.ok ? 'ok' : x.examples.map((e) => e.detail).join('; ')}`)).toEqual([
      'columns_agree: ok',
      'image_ids_resolve: ok',
      'constraints_valid: ok',
      'writes_applied: ok',
      'untouched_rows_intact: ok',
      'image_ids_resolve: ok',
      'constraints_valid: ok',
      'roundtrip_since_contract: ok',
    ]);
    expect(r.ok).toBe(true);
  });
});
