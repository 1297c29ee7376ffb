// Expand: the image_id indexes (before 04's keys: ON DELETE SET NULL looks rows up by image_id).
// Its SQL, in the order sent: migrations/03_expand-image-id-indexes/ and lib/plan.ts.
import { step } from '../lib/step.ts';
export const { up, down } = step(import.meta.url);
