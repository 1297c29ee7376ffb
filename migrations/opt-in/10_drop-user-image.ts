// Opt-in: drop "user".image after the user contract. Refuses unless asked for by name
// (image_ref.drop_user_image = yes); its SQL: migrations/opt-in/10_drop-user-image/ and lib/plan.ts.
import { step } from '../../lib/step.ts';
export const { up, down } = step(import.meta.url);
