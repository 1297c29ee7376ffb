// The feed (Phase 2): one organization's posts for a viewer, newest first, a page per round trip,
// with author, avatar, image and likes. The Drizzle twin of sql/queries/feed.sql: the same CTE
// and LATERAL lookups, so PostgreSQL gives it the same plan (harness/test/plan.test.ts checks
// both). Read feed.sql's header for why each part has its shape; the notes here are the Drizzle
// side of it.
import { desc, eq, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from './db.ts';
import { InvalidInputError } from './errors.ts';
import { postLikes, posts, storage, user } from './tables.ts';

/** The largest page: the CTE cuts this many rows, a constant the planner can cost. */
export const FEED_PAGE_MAX = 100;
export const FEED_PAGE_DEFAULT = 20;

/**
 * Where the next page starts: the last row's created_at and id, as the server gave them. created_at
 * is text with microseconds (ISO 8601): a JS Date keeps milliseconds only, and a cursor rounded
 * down skips the rows between the two instants.
 */
export interface FeedCursor {
  createdAt: string;
  id: string;
}

export interface FeedItem {
  id: string;
  organizationId: string;
  userId: string;
  content: string;
  /** ISO 8601 with microseconds, as the cursor needs it */
  createdAt: string;
  updatedAt: Date;
  imageId: string | null;
  imageKey: string | null;
  authorName: string;
  /** better-auth's image (a provider avatar URL) */
  authorImage: string | null;
  authorAvatarKey: string | null;
  likeCount: number;
  hasLiked: boolean;
}

export interface FeedPage {
  items: FeedItem[];
  /** null on the last page */
  nextCursor: FeedCursor | null;
}

/**
 * A LIMIT written into the SQL text. Drizzle sends a numeric .limit() as a parameter, and inside
 * the CTE a LIMIT $n is costed as a tenth of the organization in the generic plan, which then
 * looks dear and is re-planned on every call (see feed.sql). The value is a constant of this file.
 */
const inlineLimit = (n: number) => sql.raw(String(Math.trunc(n))) as unknown as number;

const withTimeZone = (c: PgColumn) => /with time zone/.test(c.getSQLType());

/** The column as ISO 8601 text with microseconds, in UTC for timestamptz (the session's TimeZone never shows). */
function isoText(c: PgColumn): SQL<string> {
  return withTimeZone(c)
    ? sql<string>`to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql<string>`to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
}

/**
 * The keyset condition. A NULL cursor becomes (infinity, ''), before which every row sorts: one
 * row comparison, an index condition of the feed index in a generic plan too (no "$n IS NULL OR").
 * The cursor text is cast to the column's own type, so the comparison needs no cast of the column.
 */
function before(at: SQL | unknown, id: SQL | unknown): SQL {
  const type = sql.raw(posts.createdAt.getSQLType());
  return sql`(${posts.createdAt}, ${posts.id}) < (coalesce(${at}::${type}, 'infinity'), coalesce(${id}::text, ''))`;
}

/** The feed as one statement; values come from placeholders org, viewer, at, id, limit. */
export function feedQuery(db: Db) {
  const page = db.$with('page').as(
    db
      .select({
        id: posts.id,
        organizationId: posts.organizationId,
        userId: posts.userId,
        content: posts.content,
        imageId: posts.imageId,
        createdAt: posts.createdAt,
        updatedAt: posts.updatedAt,
      })
      .from(posts)
      .where(sql`${posts.organizationId} = ${sql.placeholder('org')} and ${before(sql.placeholder('at'), sql.placeholder('id'))}`)
      .orderBy(desc(posts.createdAt), desc(posts.id))
      .limit(inlineLimit(FEED_PAGE_MAX)),
  );
  // Each lookup stays per row: LATERAL, and a LIMIT 1 that keeps the planner from flattening it
  // into a join (which could hash all of "user" or storage). Each finds one row by primary key.
  const author = db
    .select({ name: user.name, image: user.image, imageId: user.imageId })
    .from(user)
    .where(eq(user.id, page.userId))
    .limit(inlineLimit(1))
    .as('author');
  const avatar = db.select({ fileKey: storage.fileKey }).from(storage).where(eq(storage.id, author.imageId)).limit(inlineLimit(1)).as('avatar');
  const image = db.select({ fileKey: storage.fileKey }).from(storage).where(eq(storage.id, page.imageId)).limit(inlineLimit(1)).as('image');
  // One range scan of post_likes' primary key (post_id, user_id) gives the count and whether the
  // viewer is among the likers: no per-row query, and no hashed subplan over all the viewer's likes.
  const likes = db
    .select({
      likeCount: sql<number>`count(*)::int`.as('like_count'),
      hasLiked: sql<boolean>`coalesce(bool_or(${postLikes.userId} = ${sql.placeholder('viewer')}), false)`.as('has_liked'),
    })
    .from(postLikes)
    .where(eq(postLikes.postId, page.id))
    .as('likes');
  return db
    .with(page)
    .select({
      id: page.id,
      organizationId: page.organizationId,
      userId: page.userId,
      content: page.content,
      createdAt: isoText(page.createdAt as unknown as PgColumn),
      updatedAt: page.updatedAt,
      imageId: page.imageId,
      imageKey: image.fileKey,
      authorName: author.name,
      authorImage: author.image,
      authorAvatarKey: avatar.fileKey,
      likeCount: likes.likeCount,
      hasLiked: likes.hasLiked,
    })
    .from(page)
    .crossJoinLateral(author)
    .leftJoinLateral(avatar, sql`true`)
    .leftJoinLateral(image, sql`true`)
    .crossJoinLateral(likes)
    .orderBy(desc(page.createdAt), desc(page.id))
    .limit(sql.placeholder('limit'));
}

// One prepared statement per database handle: the server plans it once per connection and then
// reuses its generic plan, as for feed.sql. A WeakMap lets a dropped handle go.
const prepared = new WeakMap<Db, ReturnType<ReturnType<typeof feedQuery>['prepare']>>();

function preparedFeed(db: Db) {
  let p = prepared.get(db);
  if (!p) prepared.set(db, (p = feedQuery(db).prepare('model_feed')));
  return p;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?$/;

/** The placeholder values of one page, after checking what came from the client. */
export function feedValues(req: FeedRequest): Record<string, unknown> {
  const limit = req.limit ?? FEED_PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > FEED_PAGE_MAX) throw new InvalidInputError(`page size must be a whole number from 1 to ${FEED_PAGE_MAX}, got ${limit}`);
  const c = req.cursor ?? null;
  if (c && (typeof c.createdAt !== 'string' || !ISO.test(c.createdAt) || typeof c.id !== 'string' || c.id === '')) {
    throw new InvalidInputError('the feed cursor is not one this server gave out');
  }
  return { org: req.organizationId, viewer: req.viewerId, at: c?.createdAt ?? null, id: c?.id ?? null, limit };
}

export interface FeedRequest {
  organizationId: string;
  viewerId: string;
  cursor?: FeedCursor | null;
  /** 1 to FEED_PAGE_MAX, default FEED_PAGE_DEFAULT */
  limit?: number;
}

/** One page of the feed, in one round trip. */
export async function getFeed(db: Db, req: FeedRequest): Promise<FeedPage> {
  const values = feedValues(req);
  const items: FeedItem[] = await preparedFeed(db).execute(values);
  const last = items.at(-1);
  return { items, nextCursor: last && items.length === values.limit ? { createdAt: last.createdAt, id: last.id } : null };
}
