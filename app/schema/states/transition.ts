// The schema while both references exist: after 01-07 (and after 05's triggers, which Drizzle
// does not see). Everything those steps add is here, so `drizzle-kit push` from this schema
// proposes nothing; a push from the OLD schema (before.ts) would drop image_id, its keys and the
// pack's indexes.
import { pgTable } from 'drizzle-orm/pg-core';
import { userColumns } from '../auth.ts';
import {
  feedIndex,
  imageId,
  imageIdForeignKey,
  imageIdIndex,
  postImageKey,
  postLikesTable,
  postsColumns,
  postsImageKeyUnmappedIndex,
  storageColumns,
  storageFileKeyHashIndex,
  storageIdHashIndex,
  userImageUnmappedIndex,
} from '../app.ts';

export * from './shared.ts';

export const storage = pgTable('storage', storageColumns(), (t) => [storageFileKeyHashIndex(t), storageIdHashIndex(t)]);

export const user = pgTable('user', { ...userColumns(), ...imageId() }, (t) => [
  imageIdIndex('user', t),
  userImageUnmappedIndex(t),
  imageIdForeignKey('user', t, storage),
]);

export const posts = pgTable('posts', { ...postsColumns(), ...postImageKey(), ...imageId() }, (t) => [
  feedIndex(t),
  imageIdIndex('posts', t),
  postsImageKeyUnmappedIndex(t),
  imageIdForeignKey('posts', t, storage),
]);

export const postLikes = postLikesTable(posts);
