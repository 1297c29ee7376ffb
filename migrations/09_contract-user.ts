// Contract: archive the unmapped values, check every row, drop "user".image (README: "Stopping before the user contract").
// Its SQL, in the order sent: migrations/09_contract-user/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
