// The schema after the pack (08 and 09): posts.image_key is gone; "user".image stays for
// better-auth (provider avatar URLs) beside "user".image_id, which references uploads.
import { pgTable } from 'drizzle-orm/pg-core';
import { userColumns } from '../auth.ts';
import {
  feedIndex,
  imageId,
  imageIdForeignKey,
  imageIdIndex,
  postLikesTable,
  postsColumns,
  storageColumns,
  storageFileKeyHashIndex,
  storageIdHashIndex,
} from '../app.ts';

export * from './shared.ts';

export const storage = pgTable('storage', storageColumns(), (t) => [storageFileKeyHashIndex(t), storageIdHashIndex(t)]);

export const user = pgTable('user', { ...userColumns(), ...imageId() }, (t) => [
  imageIdIndex('user', t),
  imageIdForeignKey('user', t, storage),
]);

export const posts = pgTable('posts', { ...postsColumns(), ...imageId() }, (t) => [
  feedIndex(t),
  imageIdIndex('posts', t),
  imageIdForeignKey('posts', t, storage),
]);

export const postLikes = postLikesTable(posts);
