// Expand: the storage indexes the rule and the keys need, built concurrently.
// Its SQL, in the order sent: migrations/02_expand-storage-indexes/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
