// A user's avatar (Phase 2): an upload referenced by "user".image_id. "user".image stays
// better-auth's: social sign-in writes the provider's avatar URL there, and the model never
// writes it, so better-auth and the model never overwrite each other.
import { eq, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { ImageAccessError, ImageNotFoundError, UserNotFoundError } from './errors.ts';
import { visibleTo } from './files.ts';
import { storage, user } from './tables.ts';

export interface UserWithAvatar {
  id: string;
  name: string;
  email: string;
  /** better-auth's image: a provider avatar URL, or null */
  image: string | null;
  imageId: string | null;
  /** the uploaded avatar's object key, joined through image_id; null when there is none */
  avatarKey: string | null;
}

/** sql/queries/user_with_avatar.sql, plus better-auth's image for the fallback. */
export async function getUserWithAvatar(db: Db, userId: string): Promise<UserWithAvatar | null> {
  const rows = await db
    .select({ id: user.id, name: user.name, email: user.email, image: user.image, imageId: user.imageId, avatarKey: storage.fileKey })
    .from(user)
    .leftJoin(storage, eq(storage.id, user.imageId))
    .where(eq(user.id, userId));
  return rows[0] ?? null;
}

/**
 * Sets (or, with null, removes) the user's uploaded avatar. It must be a file the user may see
 * (their own personal upload, or their organization's): otherwise anyone could show anyone's
 * private upload by guessing its id. The storage row is held FOR SHARE until the update commits.
 */
export async function updateUserAvatar(db: Db, userId: string, imageId: string | null): Promise<UserWithAvatar> {
  await db.transaction(async (tx) => {
    if (imageId !== null) {
      const [file] = await tx
        .select({ id: storage.id, visible: sql<boolean>`${visibleTo(tx, userId)}` })
        .from(storage)
        .where(eq(storage.id, imageId))
        .for('share');
      if (!file) throw new ImageNotFoundError(imageId);
      if (!file.visible) throw new ImageAccessError(imageId, userId);
    }
    const done = await tx
      .update(user)
      // updated_at: better-auth's $onUpdate on the column fills it, as in better-auth's own writes
      .set({ imageId })
      .where(eq(user.id, userId))
      .returning({ id: user.id });
    if (done.length === 0) throw new UserNotFoundError(userId);
  });
  return (await getUserWithAvatar(db, userId))!;
}
