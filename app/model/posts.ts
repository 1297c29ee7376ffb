// Posts and their image (Phase 2): the image is a storage row referenced by posts.image_id.
import { and, eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { newId, type Db } from './db.ts';
import { ImageNotFoundError, ImageOrganizationError, PostNotFoundError } from './errors.ts';
import { posts, storage } from './tables.ts';

export type Post = typeof posts.$inferSelect;
export type PostWithImage = Omit<Post, 'imageId'> & { imageId: string | null; imageKey: string | null };

export interface NewPost {
  organizationId: string;
  userId: string;
  content: string;
  /** storage.id of an upload of the same organization; null or absent: no image */
  imageId?: string | null;
  id?: string;
}

export interface PostChanges {
  content?: string;
  /** null removes the image; absent leaves it */
  imageId?: string | null;
}

/**
 * Refuses an image that is not an upload of the organization, before the database would (the
 * foreign key and the same-organization trigger answer with a constraint error). FOR SHARE holds
 * the storage row until the caller's transaction ends, so it cannot be deleted or moved to another
 * organization between this check and the write.
 */
async function assertImageOfOrganization(tx: Db, imageId: string, organizationId: string): Promise<void> {
  const [row] = await tx
    .select({ organizationId: storage.organizationId })
    .from(storage)
    .where(eq(storage.id, imageId))
    .for('share');
  if (!row) throw new ImageNotFoundError(imageId);
  if (row.organizationId !== organizationId) throw new ImageOrganizationError(imageId, organizationId);
}

export async function createPost(db: Db, input: NewPost): Promise<Post> {
  return db.transaction(async (tx) => {
    if (input.imageId != null) await assertImageOfOrganization(tx, input.imageId, input.organizationId);
    const [row] = await tx
      .insert(posts)
      .values({
        id: input.id ?? newId(),
        organizationId: input.organizationId,
        userId: input.userId,
        content: input.content,
        imageId: input.imageId ?? null,
      })
      .returning();
    return row;
  });
}

/** Changes a post of the organization; another organization's post is "not found". */
export async function updatePost(db: Db, organizationId: string, postId: string, changes: PostChanges): Promise<Post> {
  return db.transaction(async (tx) => {
    if (changes.imageId != null) await assertImageOfOrganization(tx, changes.imageId, organizationId);
    const set: PgUpdateSetSource<typeof posts> = { updatedAt: sql`now()` };
    if (changes.content !== undefined) set.content = changes.content;
    if (changes.imageId !== undefined) set.imageId = changes.imageId;
    const [row] = await tx
      .update(posts)
      .set(set)
      .where(and(eq(posts.id, postId), eq(posts.organizationId, organizationId)))
      .returning();
    if (!row) throw new PostNotFoundError(postId, organizationId);
    return row;
  });
}

/** Sets (or, with null, removes) a post's image. */
export function updatePostImage(db: Db, organizationId: string, postId: string, imageId: string | null): Promise<Post> {
  return updatePost(db, organizationId, postId, { imageId });
}

/**
 * One post with its image's key, joined by primary key (sql/queries/post_by_id.sql). imageKey is
 * NULL when the post has no image or its upload was deleted (ON DELETE SET NULL).
 */
export async function getPostById(db: Db, postId: string): Promise<PostWithImage | null> {
  const rows = await db
    .select({
      id: posts.id,
      organizationId: posts.organizationId,
      userId: posts.userId,
      content: posts.content,
      imageId: posts.imageId,
      createdAt: posts.createdAt,
      updatedAt: posts.updatedAt,
      imageKey: storage.fileKey,
    })
    .from(posts)
    .leftJoin(storage, eq(storage.id, posts.imageId))
    .where(eq(posts.id, postId));
  return rows[0] ?? null;
}
