// The app's schema before the pack: what `sql/baseline.sql` is derived from (drizzle-kit export).
import { pgTable } from 'drizzle-orm/pg-core';
import { userColumns } from '../auth.ts';
import { feedIndex, postImageKey, postLikesTable, postsColumns, storageColumns } from '../app.ts';

export * from './shared.ts';

export const user = pgTable('user', userColumns());

export const storage = pgTable('storage', storageColumns());

export const posts = pgTable('posts', { ...postsColumns(), ...postImageKey() }, (t) => [feedIndex(t)]);

export const postLikes = postLikesTable(posts);
