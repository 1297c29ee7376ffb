// Uploads (storage rows) as the app reads them: by id, only for a viewer allowed to see them.
import { and, eq, exists, isNull, or, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import { member, storage } from './tables.ts';

/**
 * Who may see a storage row: the members of its organization; for a personal upload
 * (organization_id NULL, e.g. an avatar), only its owner. The same rule as sql/queries/file_by_id.sql.
 */
export function visibleTo(db: Db, viewerId: string): SQL {
  const isMember = db
    .select({ one: member.id })
    .from(member)
    .where(and(eq(member.organizationId, storage.organizationId), eq(member.userId, viewerId)));
  return or(and(isNull(storage.organizationId), eq(storage.userId, viewerId)), exists(isMember))!;
}

export type StorageFile = typeof storage.$inferSelect;

/** One upload if the viewer may see it; null otherwise, exactly as for an id that does not exist. */
export async function getFileById(db: Db, fileId: string, viewerId: string): Promise<StorageFile | null> {
  const rows = await db
    .select()
    .from(storage)
    .where(and(eq(storage.id, fileId), visibleTo(db, viewerId)));
  return rows[0] ?? null;
}
