// The schema after the opt-in drop of "user".image (migrations/opt-in/). better-auth's default
// configuration refuses it (image is a core field with no column left); app/auth.ts and the
// README's opt-in section say what configuration it takes.
import { pgTable } from 'drizzle-orm/pg-core';
import { userColumns } from '../auth.ts';
import { imageId, imageIdForeignKey, imageIdIndex } from '../app.ts';
import { storage } from './after.ts';

export * from './shared.ts';
export { storage, posts, postLikes } from './after.ts';

const userColumnsWithoutImage = () => {
  const { image: _dropped, ...rest } = userColumns();
  return rest;
};

export const user = pgTable('user', { ...userColumnsWithoutImage(), ...imageId() }, (t) => [
  imageIdIndex('user', t),
  imageIdForeignKey('user', t, storage),
]);
