// Deterministic bulk seeder for the baseline schema (sql/baseline.sql).
//
// The data looks like the app's: better-auth ids (32 random alphanumerics), organizations with
// members, object-store keys (org/<orgId>/posts/<uuid>.jpg, users/<userId>/avatar/<uuid>.png),
// OAuth avatar URLs in "user".image, and every edge case of the image-key mapping rule planted on
// purpose (see SeedFractions). Same options => byte-identical rows.
//
// Speed: faker (fixed seed) only fills small pools of names and sentences; rows come from a seeded
// sfc32 PRNG sampling those pools, and reach the server through COPY FROM STDIN (lib/seed/copy.ts),
// streamed while the next chunks are generated (the posts' and likes' on worker threads,
// lib/seed/tables/chunks.ts), into tables whose indexes and foreign keys are
// rebuilt after the load (lib/seed/sql/). One transaction, then ANALYZE.
// One generator per table under seeds/tables/, each taking the context (seeds/tables/context.ts)
// and the plans of the tables it depends on; seed() below runs them in order.
import type pg from 'pg';
import type { SeedFractions, SeedOptions, SeedSummary } from './tables/types.ts';
import { BadInput, DEFAULT_POSTS, intSetting, KNOBS, parseFraction, parseInteger, textSetting, type Env } from '../settings.ts';
import { createContext, plant, type SeedContext } from './tables/context.ts';
import { checkSeedable, deferIndexes, rebuildIndexes } from './tables/load.ts';
import { copyMembers } from './tables/member.ts';
import { copyOrganizations } from './tables/organization.ts';
import { planPeople, type People } from './tables/people.ts';
import { CHUNK_POSTS, ChunkRunner, copyPostLikes, copyPosts, defaultThreads } from './tables/chunks.ts';
import { planPosts, postIds as planPostIds } from './tables/posts.ts';
import { copyStorage, plantOrphanUploads, StorageRows } from './tables/storage.ts';
import { copyUsers, planUserImages } from './tables/user.ts';

export type { SeedFractions, SeedOptions, SeedSummary };

// ---------------------------------------------------------------------------------------------
// Options and summary
// ---------------------------------------------------------------------------------------------

export const DEFAULT_FRACTIONS: Readonly<SeedFractions> = Object.freeze({
  postsWithImage: 0.6,
  duplicates: 0.01,
  duplicateTies: 0.3,
  missing: 0.01,
  otherOrg: 0.005,
  urls: 0.005,
  blanks: 0.005,
  variants: 0.005,
  shared: 0.02,
  orphans: 0.03,
  usersWithImage: 0.7,
  userOauth: 0.33,
  userOrgKeys: 0.02,
  userDuplicates: 0.01,
  userMissing: 0.02,
  userBlanks: 0.01,
  userVariants: 0.01,
});

export const DEFAULT_SEED_OPTIONS: Readonly<Omit<SeedOptions, 'onProgress'>> = Object.freeze({
  posts: DEFAULT_POSTS.seed,
  seed: KNOBS.SEED.default,
  now: KNOBS.SEED_NOW.default,
  fractions: DEFAULT_FRACTIONS,
});

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** SEED_FRAC_<UPPER_SNAKE of the fraction name>, e.g. userOrgKeys -> SEED_FRAC_USER_ORG_KEYS */
export function fractionEnvName(key: keyof SeedFractions): string {
  return 'SEED_FRAC_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** Options from SCALE, SEED, SEED_NOW and SEED_FRAC_* (unset variables keep the defaults), parsed by lib/settings.ts. */
export function seedOptionsFromEnv(env: Env = process.env): Partial<SeedOptions> {
  const out: Partial<SeedOptions> = {};
  if (env.SCALE?.trim()) out.posts = intSetting('SCALE', env);
  if (env.SEED?.trim()) out.seed = intSetting('SEED', env);
  if (env.SEED_THREADS?.trim()) out.threads = parseInteger('SEED_THREADS', env.SEED_THREADS, 0, 64);
  if (env.SEED_NOW?.trim()) {
    const now = textSetting('SEED_NOW', env);
    if (Number.isNaN(Date.parse(now))) throw new BadInput(`SEED_NOW=${JSON.stringify(now)} is not a date`);
    out.now = new Date(now).toISOString();
  }
  const fractions: Partial<SeedFractions> = {};
  for (const key of Object.keys(DEFAULT_FRACTIONS) as (keyof SeedFractions)[]) {
    const name = fractionEnvName(key);
    const raw = env[name];
    if (raw !== undefined && raw !== '') fractions[key] = parseFraction(name, raw);
  }
  if (Object.keys(fractions).length) out.fractions = { ...DEFAULT_FRACTIONS, ...fractions };
  return out;
}

function resolveOptions(opts: Partial<SeedOptions>): SeedOptions {
  const o: SeedOptions = {
    ...DEFAULT_SEED_OPTIONS,
    ...opts,
    fractions: { ...DEFAULT_FRACTIONS, ...(opts.fractions ?? {}) },
  };
  if (!Number.isInteger(o.posts) || o.posts < 100) throw new Error(`posts must be an integer >= 100 (got ${o.posts})`);
  if (o.chunkPosts !== undefined && !(Number.isInteger(o.chunkPosts) && o.chunkPosts >= 1)) throw new Error(`chunkPosts must be an integer >= 1 (got ${o.chunkPosts})`);
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 0)) throw new Error(`threads must be an integer >= 0 (got ${o.threads})`);
  if (!Number.isSafeInteger(o.seed)) throw new Error(`seed must be an integer (got ${o.seed})`);
  if (Number.isNaN(Date.parse(o.now))) throw new Error(`now must be a date (got ${o.now})`);
  for (const [k, v] of Object.entries(o.fractions)) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`fractions.${k} must be a number from 0 to 1 (got ${v})`);
  }
  const f = o.fractions;
  const postSum = f.duplicates + f.missing + f.otherOrg + f.urls + f.blanks + f.variants + f.shared;
  if (postSum > 0.9) throw new Error(`post edge-case fractions add up to ${postSum.toFixed(3)}; keep them under 0.9`);
  const userSum = f.userOauth + f.userOrgKeys + f.userDuplicates + f.userMissing + f.userBlanks + f.userVariants;
  if (userSum > 0.9) throw new Error(`user image fractions add up to ${userSum.toFixed(3)}; keep them under 0.9`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

/** The summary's totals: what the mapping rule must map and leave unmapped. */
function summarize(ctx: SeedContext, rows: SeedSummary['rows'], fastLoad: boolean, threads: number, t0: number): SeedSummary {
  const ep = ctx.edge.posts;
  const postsUnmapped = ep.missingKey + ep.otherOrgOnly + ep.urls + ep.blanks + ep.leadingSpace + ep.trailingSpace + ep.upperCase;
  const eu = ctx.edge.users;
  const usersMapped = eu.storageAvatar + eu.orgUploadKey + eu.duplicateKey;
  return {
    options: { posts: ctx.P, seed: ctx.options.seed, now: new Date(ctx.END).toISOString(), fractions: { ...ctx.F } },
    rows,
    edgeCases: ctx.edge,
    expected: { postsMapped: ep.withImage - postsUnmapped, postsUnmapped, usersMapped, usersUnmapped: eu.withImage - usersMapped },
    fkMode: fastLoad ? 'validated' : 'triggers',
    threads,
    elapsedMs: Math.round(performance.now() - t0),
    phasesMs: ctx.phasesMs,
  };
}

/**
 * The posts, the storage rows (the users' and the posts' uploads, then the orphans) and the likes.
 * The posts and likes are generated in chunks on worker threads (tables/chunks.ts) and streamed
 * in order; the plan they share (times, organizations, kinds, ids, shared keys) is made here.
 */
async function copyPostsAndLikes(ctx: SeedContext, client: pg.ClientBase, options: SeedOptions, people: People, storage: StorageRows) {
  const plan = planPosts(ctx, people);
  const ids = planPostIds(ctx);
  const { posts, seed: seedNo, now, fractions, threads = defaultThreads(posts), chunkPosts: chunk = CHUNK_POSTS } = options;
  const { userIds, orgIds, orgMembers, orgJoin } = people;
  const init = {
    options: { posts, seed: seedNo, now, fractions, chunkPosts: chunk },
    people: { userIds, orgIds, orgMembers, orgJoin },
    shareSource: plan.shareSource,
    sourceKey: plan.sourceKey,
    tieCount: plant(ctx.F.duplicateTies, plan.duplicates),
  };
  const runner = ChunkRunner.create(init, ctx, threads);
  try {
    await copyPosts(ctx, client, runner, plan, ids, storage, chunk);
    ctx.endPhase('posts');
    plantOrphanUploads(ctx, people, storage, plant(ctx.F.orphans, plan.imagePosts));
    await copyStorage(ctx, client, storage);
    ctx.endPhase('storage');
    const likes = await copyPostLikes(ctx, client, runner, plan, ids, chunk);
    ctx.endPhase('post_likes');
    return { likes, threads: runner.threads };
  } finally {
    await runner.close();
  }
}

/**
 * Fills the baseline's (empty) tables: organization, "user", member, storage, posts, post_likes.
 * Runs its own transaction (do not call it inside one), then ANALYZE. Needs node-postgres's JS
 * client (COPY runs through it). As a superuser on tables without user triggers, the indexes and
 * foreign keys are dropped for the load and rebuilt in bulk before COMMIT, and COPY writes frozen
 * rows (lib/seed/sql/defer-indexes.sql; SeedSummary.fkMode 'validated').
 */
export async function seed(client: pg.ClientBase, opts: Partial<SeedOptions> = {}): Promise<SeedSummary> {
  const t0 = performance.now();
  const options = resolveOptions(opts);
  const { fastLoad } = await checkSeedable(client);
  const ctx = createContext(options, { freeze: fastLoad });
  // Organizations, users, memberships and the users' images are small: planned in memory first.
  const storage = new StorageRows(ctx);
  const people = planPeople(ctx);
  const userImages = planUserImages(ctx, people, storage);
  ctx.endPhase('prepare');

  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL synchronous_commit = off');
    // The fast load: no index or foreign key maintained row by row; all rebuilt before COMMIT.
    if (fastLoad) {
      await deferIndexes(client);
      ctx.endPhase('defer indexes');
    }
    await copyOrganizations(ctx, client, people);
    ctx.endPhase('organization');
    await copyUsers(ctx, client, people, userImages);
    ctx.endPhase('user');
    const members = await copyMembers(ctx, client, people);
    ctx.endPhase('member');
    const { likes, threads } = await copyPostsAndLikes(ctx, client, options, people, storage);
    if (fastLoad) await rebuildIndexes(ctx, client);
    await client.query('COMMIT');
    ctx.endPhase('commit');
    ctx.progress('analyze', 0, 1);
    await client.query('ANALYZE organization, "user", member, storage, posts, post_likes');
    ctx.progress('analyze', 1, 1);
    ctx.endPhase('analyze');
    const rows = { organization: ctx.O, user: ctx.U, member: members, storage: storage.sink.rows, posts: ctx.P, post_likes: likes };
    return summarize(ctx, rows, fastLoad, threads, t0);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
