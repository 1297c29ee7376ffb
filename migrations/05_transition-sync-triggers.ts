// Transition: triggers keep the old and new columns consistent while both exist.
// Its SQL, in the order sent: migrations/05_transition-sync-triggers/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
