// Backfill: image_id from the old keys, in batches that each commit on their own.
// Its SQL, in the order sent: migrations/06_backfill/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
