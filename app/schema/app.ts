// The app's own tables (storage, posts, post_likes) and the pieces the pack adds to them, as
// Drizzle builders. Each deployed state (app/schema/states/) puts the pieces together; nothing
// here is a table except post_likes, which no step of the pack changes.
//
// Names matter: drizzle-kit compares indexes and foreign keys by name, so every index and key the
// pack creates is declared here under the pack's own name, with the pack's definition. A state
// that leaves one out makes `drizzle-kit push` drop it.
import { sql } from 'drizzle-orm';
import {
  bigint,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  type AnyPgColumn,
  type ExtraConfigColumn,
  type PgTableWithColumns,
} from 'drizzle-orm/pg-core';
import { organization, user } from './auth.ts';

// The app's timestamps carry a time zone and microseconds (the feed's cursor depends on both).
const createdAt = () => timestamp('created_at', { withTimezone: true }).defaultNow().notNull();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).defaultNow().notNull();

export const storageColumns = () => ({
  id: text('id').primaryKey(),
  fileKey: text('file_key').notNull(),
  fileName: text('file_name').notNull(),
  contentType: text('content_type').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  userId: text('user_id').references(() => user.id, { onDelete: 'set null' }),
  // NULL for personal uploads such as avatars.
  organizationId: text('organization_id').references(() => organization.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
});

export const postsColumns = () => ({
  id: text('id').primaryKey(),
  organizationId: text('organization_id')
    .notNull()
    .references(() => organization.id, { onDelete: 'cascade' }),
  userId: text('user_id')
    .notNull()
    .references(() => user.id, { onDelete: 'cascade' }),
  content: text('content').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** The old reference: a raw object key (before the pack, and during the transition). */
export const postImageKey = () => ({ imageKey: text('image_key') });
/** The new reference (migration 01 on). Its key to storage is declared with the table. */
export const imageId = () => ({ imageId: text('image_id') });

type Col = AnyPgColumn;

/** The feed's index: one organization's posts, newest first. */
export const feedIndex = (t: { organizationId: Col; createdAt: ExtraConfigColumn; id: ExtraConfigColumn }) =>
  index('posts_organization_id_created_at_id_idx').on(
    t.organizationId,
    // PostgreSQL's own order for DESC (NULLS FIRST): the feed's ORDER BY … DESC reads the index as is.
    t.createdAt.desc().nullsFirst(),
    t.id.desc().nullsFirst(),
  );

/** 02: the mapping rule's lookup of a key in storage. */
export const storageFileKeyHashIndex = (t: { fileKey: Col }) =>
  index('storage_file_key_hash_idx').using('hash', t.fileKey);

/**
 * 03: the feed's two storage lookups (avatar and image, by id) probe one bucket page of a hash
 * index where storage_pkey descends a btree. Beside the primary key, which stays for uniqueness
 * and the foreign keys.
 */
export const storageIdHashIndex = (t: { id: Col }) => index('storage_id_hash_idx').using('hash', t.id);

/** 03: what a storage delete's ON DELETE SET NULL looks up; only referencing rows are indexed. */
export const imageIdIndex = (table: 'posts' | 'user', t: { imageId: Col }) =>
  index(`${table}_image_id_idx`).on(t.imageId).where(sql`(image_id IS NOT NULL)`);

/** 03: the keys still waiting for their upload (late uploads find their rows through these). */
export const postsImageKeyUnmappedIndex = (t: { imageKey: Col }) =>
  index('posts_image_key_unmapped_idx')
    .using('hash', t.imageKey)
    .where(sql`((image_id IS NULL) AND (image_key IS NOT NULL))`);
export const userImageUnmappedIndex = (t: { image: Col }) =>
  index('user_image_unmapped_idx')
    .using('hash', t.image)
    .where(sql`((image_id IS NULL) AND (image IS NOT NULL))`);

/**
 * 04: image_id references storage; deleting the upload clears the reference. Single-column keys,
 * so Drizzle can state them; that a post's image belongs to the post's organization is kept by a
 * trigger of the pack, which drizzle-kit does not look at.
 */
export const imageIdForeignKey = (
  table: 'posts' | 'user',
  t: { imageId: Col },
  storage: PgTableWithColumns<any>,
) =>
  foreignKey({ name: `${table}_image_id_fkey`, columns: [t.imageId], foreignColumns: [storage.id] }).onDelete(
    'set null',
  );

/** post_likes: no step of the pack changes it; each state ties it to its own posts table. */
export const postLikesTable = (posts: PgTableWithColumns<any>) =>
  pgTable(
    'post_likes',
    {
      postId: text('post_id')
        .notNull()
        .references((): AnyPgColumn => posts.id, { onDelete: 'cascade' }),
      userId: text('user_id')
        .notNull()
        .references(() => user.id, { onDelete: 'cascade' }),
      createdAt: createdAt(),
    },
    // Named as PostgreSQL would name it: the feed's plan guard (lib/query-plan.ts) looks for post_likes_pkey.
    (t) => [primaryKey({ name: 'post_likes_pkey', columns: [t.postId, t.userId] })],
  );
