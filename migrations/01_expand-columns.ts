// Expand: refuse what the pack cannot handle safely, then add posts.image_id and "user".image_id.
// Its SQL, in the order sent: migrations/01_expand-columns/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
