// Expand: the foreign keys, NOT VALID.
// Its SQL, in the order sent: migrations/04_expand-foreign-keys/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
