// Validate: VALIDATE CONSTRAINT on both keys, in its own transaction.
// Its SQL, in the order sent: migrations/07_validate-foreign-keys/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
