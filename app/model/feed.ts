// The feed (Phase 2): one organization's posts for a viewer, newest first, a page per round trip,
// with author, avatar, image and likes. The Drizzle twin of sql/queries/feed.sql: the same CTE,
// LATERAL lookups and scalar subqueries, so PostgreSQL gives it the same plan
// (harness/test/plan.test.ts checks both). Read feed.sql's header for why each part has its
// shape; the notes here are the Drizzle side of it.
import { desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import { InvalidInputError } from './errors.ts';
import { postLikes, posts, storage, user } from './tables.ts';

/** The largest page: the CTE cuts this many rows, a constant the planner can cost. */
export const FEED_PAGE_MAX = 100;
export const FEED_PAGE_DEFAULT = 20;

/**
 * Where the next page starts: the last row's created_at and id, as the server gave them. created_at
 * stays the server's text (e.g. 2025-01-03 10:00:00.123457+00): a JS Date keeps milliseconds only,
 * and a cursor rounded down skips the rows between the two instants.
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
  /** the server's text (ISO DateStyle, with microseconds and offset), as the cursor needs it */
  createdAt: string;
  /** the server's text, like createdAt */
  updatedAt: string;
  imageKey: string | null;
  authorName: string;
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

/**
 * The keyset condition. A NULL cursor becomes (infinity, ''), before which every row sorts: one
 * row comparison, an index condition of the feed index in a generic plan too (no "$n IS NULL OR").
 * The cursor text is cast to the column's own type, so the comparison needs no cast of the column.
 */
function before(at: unknown, id: unknown): SQL {
  const type = sql.raw(posts.createdAt.getSQLType());
  return sql`(${posts.createdAt}, ${posts.id}) < (coalesce(${at}::${type}, 'infinity'), coalesce(${id}::text, ''))`;
}

/** The feed as one statement; values come from placeholders org, viewer, at, id, limit. */
export function feedQuery(db: Db) {
  return feed(db).query;
}

function feed(db: Db) {
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
  // The author stays per row: LATERAL, and a LIMIT 1 that keeps the planner from flattening it
  // into a join (which could hash all of "user"). It finds one row by primary key.
  const author = db
    .select({ name: user.name, imageId: user.imageId })
    .from(user)
    .where(eq(user.id, page.userId))
    .limit(inlineLimit(1))
    .as('author');
  // The avatar's and the image's key: scalar subqueries, a SubPlan per row returned with no join
  // or Memoize around it, through storage_id_hash_idx (03), as in feed.sql.
  // (Drizzle puts a query inside sql`` in parentheses: a scalar subquery.)
  const fileKeyOf = (id: unknown) =>
    sql<string | null>`${db.select({ fileKey: storage.fileKey }).from(storage).where(sql`${storage.id} = ${id}`)}`;
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
  // The columns of feed.sql, no more: each extra one is paid on every row of every page (better-
  // auth's "user".image for a provider-avatar fallback measurably slowed the page; README).
  // Every value arrives as the item needs it: the driver parses int and bool, and Drizzle's driver
  // setup keeps timestamps as the server's text, microseconds included. So rows map by position
  // alone (rowsToItems), and created_at goes back as the cursor exactly as the server wrote it.
  const selection = {
    id: page.id,
    organizationId: page.organizationId,
    userId: page.userId,
    content: page.content,
    createdAt: page.createdAt,
    updatedAt: page.updatedAt,
    imageKey: fileKeyOf(page.imageId).as('image_key'),
    authorName: author.name,
    authorAvatarKey: fileKeyOf(author.imageId).as('author_avatar_key'),
    likeCount: likes.likeCount,
    hasLiked: likes.hasLiked,
  } satisfies Record<keyof FeedItem, unknown>;
  const query = db
    .with(page)
    .select(selection)
    .from(page)
    .crossJoinLateral(author)
    .crossJoinLateral(likes)
    .orderBy(desc(page.createdAt), desc(page.id))
    .limit(sql.placeholder('limit'));
  return { query, keys: Object.keys(selection) as (keyof FeedItem)[] };
}

/**
 * Rows (arrays, in the select list's order) to items by position. Drizzle's generic row mapper
 * decodes every field of every row through the selection's proxies, which costs more than the
 * page's query itself at feed sizes (README, "The model layer"); this feed needs no decoding.
 */
function rowsToItems(keys: (keyof FeedItem)[]) {
  return (rows: unknown[][]): FeedItem[] =>
    rows.map((row) => {
      const item: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) item[keys[i]] = row[i];
      return item as unknown as FeedItem;
    });
}

type PreparedFeed = { execute(values: Record<string, unknown>): Promise<FeedItem[]> };

// One prepared statement per database handle: the server plans it once per connection and then
// reuses its generic plan, as for feed.sql. A WeakMap lets a dropped handle go. The statement is
// prepared through the session (public in db._) so that it can take its own row mapper.
const prepared = new WeakMap<Db, PreparedFeed>();

function preparedFeed(db: Db): PreparedFeed {
  let p = prepared.get(db);
  if (!p) {
    const { query, keys } = feed(db);
    p = db._.session.prepareQuery<{ execute: FeedItem[]; all: unknown; values: unknown }>(query.toSQL(), undefined, 'model_feed', true, rowsToItems(keys));
    prepared.set(db, p);
  }
  return p;
}

// PostgreSQL's ISO output (its default DateStyle), or ISO 8601 with a T; an offset where the column has one
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2}){0,2})?$/;

/** The placeholder values of one page, after checking what came from the client. */
export function feedValues(req: FeedRequest): Record<string, unknown> {
  const limit = req.limit ?? FEED_PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > FEED_PAGE_MAX) throw new InvalidInputError(`page size must be a whole number from 1 to ${FEED_PAGE_MAX}, got ${limit}`);
  const c = req.cursor ?? null;
  if (c && (typeof c.createdAt !== 'string' || !TIMESTAMP.test(c.createdAt) || typeof c.id !== 'string' || c.id === '')) {
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
