// Issue 12 case 6: lock order. The whole pack, one migration at a time, up to the end and then
// every down, while 8 clients run the pgbench -c8 load of the issue: read-then-write
// transactions (BEGIN; SELECT … WHERE id = $1; UPDATE … WHERE id = $1; COMMIT) on posts and
// "user", and plain INSERT INTO posts. A lock the pack upgrades (SHARE, then ACCESS EXCLUSIVE)
// deadlocks with the first; a down that locks "user" before posts deadlocks with the second.
import { describe, it, expect } from 'vitest';
import { baselineDb, connect } from './db.ts';
import { migrate, migrationNames } from '../../lib/migrate.ts';
import { startLockOrderLoad, type LockLoadResult, type StepStats } from '../online.ts';
import { seed } from '../../lib/seed/seed.ts';

const POSTS = 3000;

interface PackError { step: string; code?: string; message: string }

/** Every migration up, one at a time, then every down: the steps that ran, and the first failure. */
async function packUpAndDown(url: string, setStep: (s: string) => void): Promise<{ ran: string[]; error?: PackError }> {
  const names = migrationNames();
  const plan = [...names.map((n) => ['up', n] as const), ...[...names].reverse().map((n) => ['down', n] as const)];
  const ran: string[] = [];
  for (const [direction, name] of plan) {
    const step = `${direction} ${name}`;
    setStep(step);
    try {
      const done = await migrate(url, { direction, count: 1 });
      ran.push(...done.map((n) => `${direction} ${n}`));
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { ran, error: { step, code: err.code, message: err.message ?? String(e) } };
    }
  }
  return { ran };
}

const line = (s: StepStats) => `${s.step}: ${s.statements} statements, max ${s.max} ms, ${s.deadlocks} deadlocks, ${s.errors} failed`;

describe('lock order under a read-then-write and insert load (issue 12 case 6)', () => {
  it('the pack runs to the end and back down with 0 deadlocks and 0 failed app transactions', async () => {
    const url = await baselineDb();
    const c = await connect(url);
    await seed(c, { posts: POSTS });
    await c.end();

    const load = await startLockOrderLoad(url, { clients: 8 });
    await new Promise((r) => setTimeout(r, 300)); // the load is running before the first step
    let pack: Awaited<ReturnType<typeof packUpAndDown>>;
    let app: LockLoadResult;
    try {
      pack = await packUpAndDown(url, load.setStep);
      load.setStep('after');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      app = await load.stop(); // never leave the clients running
    }
    console.log(app.steps.map(line).join('\n'));
    if (pack.error) console.log(`the pack failed in ${pack.error.step}: ${pack.error.code} ${pack.error.message}`);
    for (const e of app.errors.slice(0, 5)) console.log(`app error in ${e.step}: ${e.code} ${e.message}`);

    // The load was real: it ran through every step.
    expect(app.done).toBeGreaterThan(200);
    // The pack itself finished, up and full down, and no step failed on a deadlock.
    expect(pack.error).toBeUndefined();
    const names = migrationNames();
    expect(pack.ran).toEqual([...names.map((n) => `up ${n}`), ...[...names].reverse().map((n) => `down ${n}`)]);
    // The app: no deadlock, no failed transaction, in any step.
    expect(app.steps.filter((s) => s.deadlocks > 0).map(line)).toEqual([]);
    expect(app.deadlocks).toBe(0);
    expect(app.errors.map((e) => `${e.step}: ${e.code} ${e.message}`)).toEqual([]);
    expect(app.failed).toBe(0);
  });
});
