// The one place the model layer imports its tables from: the app's schema (app/schema/index.ts,
// the state after the pack: posts.image_id, "user".image_id, "user".image kept for better-auth).
export { member, postLikes, posts, storage, user } from '../schema/index.ts';
