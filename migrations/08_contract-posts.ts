// Contract: archive the unmapped keys, check every row, drop posts.image_key.
// Its SQL, in the order sent: migrations/08_contract-posts/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
