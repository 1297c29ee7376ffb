// The plan step 06_backfill, as in the main folder (this folder holds the whole history: lib/plan.ts OPT_IN).
import { step } from '../../lib/step.ts';
export const { up, down } = step(import.meta.url);
