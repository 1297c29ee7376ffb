// The plan step 07_validate-foreign-keys, as in the main folder (this folder holds the whole history: lib/plan.ts OPT_IN).
import { step } from '../../lib/step.ts';
export const { up, down } = step(import.meta.url);
