// The pack, one migration at a time, with each step's wall time.
import { migrate } from '../lib/migrate.ts';
import { parseBackfillDone, type BackfillDone } from './backfill.ts';

export interface PackStep {
  name: string;
  ms: number;
}

export interface PackRun {
  steps: PackStep[];
  /** the backfill's final NOTICE per table, from step 06 */
  backfill: BackfillDone[];
}

export async function runPackStepByStep(url: string, log: (line: string) => void): Promise<PackRun> {
  const steps: PackStep[] = [];
  const backfill: BackfillDone[] = [];
  for (;;) {
    const t0 = performance.now();
    const ran = await migrate(url, {
      direction: 'up',
      count: 1,
      log: (line) => {
        const done = parseBackfillDone(line);
        if (done) backfill.push(done);
        if (line.startsWith('  ')) log(line); // the backfill's progress NOTICEs
      },
    });
    const ms = performance.now() - t0;
    if (ran.length === 0) break;
    steps.push({ name: ran[0], ms });
    log(`pack: ${ran[0]} ${(ms / 1000).toFixed(2)} s`);
  }
  return { steps, backfill };
}
