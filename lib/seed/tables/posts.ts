// The posts table: when and where each post is written (bigger organizations post more), which
// posts have an image and which edge case of the mapping rule each image is, then the rows,
// streamed, with the storage rows of their uploads.
import type { Rng } from '../../random.ts';
import { DAY, HOUR, MINUTE, S, Sink, cumulative, plant, weighted, type SeedContext } from './context.ts';
import type { People } from './people.ts';
import { POST_EXT, StorageRows, extOf, pickExt } from './storage.ts';

/** What a post's image_key is: every kind but None and Normal is an edge case of the mapping rule. */
export const enum PostImageKind {
  None,
  Normal,
  Duplicate,
  Missing,
  OtherOrg,
  Url,
  Blank,
  Variant,
  Shared,
}

export interface PostPlan {
  postOrg: Int32Array;
  postAt: Float64Array;
  /** PostImageKind per post */
  imgKind: Uint8Array;
  imagePosts: number;
  duplicates: number;
  /** shared post -> the post whose key it reuses */
  shareSource: Map<number, number>;
  /** source post -> its key, drawn in the plan so that every chunk of posts knows it */
  sourceKey: Map<number, string>;
}

/** Organization and time of every post, in time order; a post comes after its organization exists. */
function planPostTimes(ctx: SeedContext, people: People, r: Rng): Pick<PostPlan, 'postOrg' | 'postAt'> {
  const { P, O, START, END } = ctx;
  const postOrg = new Int32Array(P);
  const postAt = new Float64Array(P);
  // Sort by time with one native sort on packed (time, org) keys.
  const bits = Math.max(1, Math.ceil(Math.log2(O)));
  const mul = 2 ** bits;
  if ((END - START + 1) * mul >= 2 ** 53) throw new Error('too many organizations for the packed sort');
  const sizeCum = cumulative(Float64Array.from(people.orgMembers, (m) => m.length));
  const keys = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    const g = weighted(sizeCum, r);
    const from = people.orgCreated[g] + MINUTE;
    const at = from + Math.floor(r.float() * (END - from));
    keys[i] = (at - START) * mul + g;
  }
  keys.sort();
  for (let i = 0; i < P; i++) {
    const k = keys[i];
    const g = k % mul;
    postOrg[i] = g;
    postAt[i] = START + (k - g) / mul;
  }
  return { postOrg, postAt };
}

/** Which posts have an image, and which edge case each image is. */
function planPostImageKinds(ctx: SeedContext, r: Rng): Pick<PostPlan, 'imgKind' | 'imagePosts' | 'duplicates'> {
  const { P, F } = ctx;
  const imgKind = new Uint8Array(P);
  let imagePosts = 0;
  for (let i = 0; i < P; i++) if (r.chance(F.postsWithImage)) (imgKind[i] = PostImageKind.Normal), imagePosts++;
  const kinds = new Uint8Array(imagePosts).fill(PostImageKind.Normal);
  let k = 0;
  const fill = (kind: PostImageKind, n: number) => {
    for (let i = 0; i < n; i++) kinds[k++] = kind;
  };
  const need =
    plant(F.duplicates, imagePosts) + plant(F.missing, imagePosts) + plant(F.otherOrg, imagePosts) +
    plant(F.urls, imagePosts, 2) + plant(F.blanks, imagePosts, 2) + plant(F.variants, imagePosts, 3) + plant(F.shared, imagePosts);
  if (need >= imagePosts) throw new Error(`scale too small: ${imagePosts} posts with an image cannot hold every post edge case`);
  fill(PostImageKind.Duplicate, plant(F.duplicates, imagePosts));
  fill(PostImageKind.Missing, plant(F.missing, imagePosts));
  fill(PostImageKind.OtherOrg, plant(F.otherOrg, imagePosts));
  fill(PostImageKind.Url, plant(F.urls, imagePosts, 2));
  fill(PostImageKind.Blank, plant(F.blanks, imagePosts, 2));
  fill(PostImageKind.Variant, plant(F.variants, imagePosts, 3));
  fill(PostImageKind.Shared, plant(F.shared, imagePosts));
  r.shuffle(kinds);
  let j = 0;
  for (let i = 0; i < P; i++) if (imgKind[i] !== PostImageKind.None) imgKind[i] = kinds[j++];
  return { imgKind, imagePosts, duplicates: plant(F.duplicates, imagePosts) };
}

/**
 * e. each shared post reuses the key of a normal image post of its organization (an earlier one
 * when there is one); half of them join the organization's latest share group.
 */
function planShares(ctx: SeedContext, people: People, r: Rng, postOrg: Int32Array, imgKind: Uint8Array): Pick<PostPlan, 'shareSource' | 'sourceKey'> {
  const { P, O } = ctx;
  const shareSource = new Map<number, number>();
  const sourceKey = new Map<number, string>();
  const normals: number[][] = Array.from({ length: O }, () => []);
  for (let i = 0; i < P; i++) if (imgKind[i] === PostImageKind.Normal) normals[postOrg[i]].push(i);
  const lastSource = new Int32Array(O).fill(-1);
  for (let i = 0; i < P; i++) {
    if (imgKind[i] !== PostImageKind.Shared) continue;
    const g = postOrg[i];
    const list = normals[g];
    if (list.length === 0) {
      imgKind[i] = PostImageKind.Normal; // nothing to share in this organization
      continue;
    }
    let src: number;
    if (lastSource[g] >= 0 && r.chance(0.5)) src = lastSource[g];
    else {
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid] < i) lo = mid + 1;
        else hi = mid;
      }
      src = lo > 0 ? list[r.int(lo)] : list[r.int(list.length)];
    }
    lastSource[g] = src;
    shareSource.set(i, src);
    if (!sourceKey.has(src)) sourceKey.set(src, '');
  }
  // The shared keys, in post order (deterministic), from a stream of their own.
  const kr = ctx.rng('posts.shared-keys');
  for (const src of [...sourceKey.keys()].sort((a, b) => a - b)) {
    sourceKey.set(src, `org/${people.orgIds[postOrg[src]]}/posts/${kr.uuid()}.${pickExt(POST_EXT, kr)[0]}`);
  }
  ctx.edge.posts.sharedKeys = sourceKey.size;
  return { shareSource, sourceKey };
}

export function planPosts(ctx: SeedContext, people: People): PostPlan {
  const r = ctx.rng('posts.plan');
  const times = planPostTimes(ctx, people, r);
  const kinds = planPostImageKinds(ctx, r);
  return { ...times, ...kinds, ...planShares(ctx, people, r, times.postOrg, kinds.imgKind) };
}

/** What a chunk of posts needs besides its task: the people, the shared keys, the tie count. */
export interface PostEnv {
  ctx: SeedContext;
  people: Pick<People, 'userIds' | 'orgIds' | 'orgMembers' | 'orgJoin' | 'randomMember'>;
  shareSource: Map<number, number>;
  sourceKey: Map<number, string>;
  /** duplicate groups whose oldest rows tie (the first tieCount of them) */
  tieCount: number;
}

/** How many posts of each counted kind come before a chunk: the chunk's ordinals start there. */
export interface PostOrdinals {
  dup: number;
  url: number;
  blank: number;
  variant: number;
}

/** One chunk of posts: [start, end) of the plan, with their ids. */
export interface PostTask {
  k: number;
  start: number;
  ids: string[];
  org: Int32Array;
  at: Float64Array;
  kind: Uint8Array;
  ordinals: PostOrdinals;
}

export type PostEdge = SeedContext['edge']['posts'];

/** A chunk's COPY text for posts and for the storage rows of its uploads, and what it planted. */
export interface PostChunk {
  k: number;
  posts: Buffer[];
  storage: Buffer[];
  storageRows: number;
  edge: PostEdge;
}

interface PostImageState {
  env: PostEnv;
  storage: StorageRows;
  ir: Rng;
  ep: PostEdge;
  ordinals: PostOrdinals;
}

const newKey = (s: PostImageState, g: number): string => {
  const [ext] = s.storage.pickExt(POST_EXT);
  return `org/${s.env.people.orgIds[g]}/posts/${s.ir.uuid()}.${ext}`;
};
const otherOrg = (s: PostImageState, g: number) => (g + 1 + s.ir.int(s.env.ctx.O - 1)) % s.env.ctx.O;
const uploadAt = (s: PostImageState, at: number) => at - 5000 - s.ir.int(10 * MINUTE);

/** an ordinary upload in organization g by user u; returns its key */
function upload(s: PostImageState, g: number, u: number, at: number, key = newKey(s, g)): string {
  const ext = extOf(key);
  const { people } = s.env;
  s.storage.row(key, s.storage.uploadFileName(ext, at), s.storage.uploadSize(ext), people.userIds[u], people.orgIds[g], uploadAt(s, at));
  return key;
}

/** a. a key with 2-3 storage rows in the post's organization (and sometimes an older decoy elsewhere) */
function duplicateImage(s: PostImageState, g: number, u: number, at: number): string {
  const { storage, ir, ep } = s;
  const { people } = s.env;
  const image = newKey(s, g);
  const tie = s.ordinals.dup < s.env.tieCount;
  const base = uploadAt(s, at);
  const ext = extOf(image);
  const rows = storage.duplicateGroup(image, storage.uploadFileName(ext, at), storage.uploadSize(ext), [people.userIds[u], people.userIds[people.randomMember(g, ir)]], people.orgIds[g], base, tie);
  ep.duplicateKey++;
  ep.duplicateStorageRows += rows;
  if (tie) ep.duplicateTieGroups++;
  if (s.ordinals.dup % 4 === 0) {
    // an OLDER copy in another organization: a rule that ignores the organization picks it
    const g2 = otherOrg(s, g);
    storage.row(image, storage.uploadFileName(ext, at), storage.uploadSize(ext), people.userIds[people.randomMember(g2, ir)], people.orgIds[g2], base - HOUR - ir.int(30 * DAY));
    ep.duplicateOtherOrgDecoys++;
  }
  s.ordinals.dup++;
  return image;
}

/** The image_key of post i (organization g, author u, written at `at`), with its storage rows. */
function postImage(s: PostImageState, kind: PostImageKind, i: number, g: number, u: number, at: number): string | null {
  const { ep } = s;
  switch (kind) {
    case PostImageKind.None:
      return null;
    case PostImageKind.Normal: {
      // a source of shared posts uploads the key the plan drew for it
      const known = s.env.sourceKey.get(i);
      return known === undefined ? upload(s, g, u, at) : upload(s, g, u, at, known);
    }
    case PostImageKind.Shared:
      ep.sharedImage++;
      return s.env.sourceKey.get(s.env.shareSource.get(i)!)!;
    case PostImageKind.Duplicate:
      return duplicateImage(s, g, u, at);
    case PostImageKind.Missing:
      ep.missingKey++;
      return newKey(s, g);
    case PostImageKind.OtherOrg: {
      const g2 = otherOrg(s, g);
      ep.otherOrgOnly++;
      return upload(s, g2, s.env.people.randomMember(g2, s.ir), at, newKey(s, g2));
    }
    case PostImageKind.Url:
      ep.urls++;
      // the full object-store URL of a real key of this organization, or a stock photo's
      return s.ordinals.url++ % 2 === 0
        ? `https://app-uploads-prod.s3.eu-central-1.amazonaws.com/${upload(s, g, u, at)}`
        : `https://images.unsplash.com/photo-${1500000000000 + s.ir.int(200000000000)}-${s.ir.uuid().slice(24)}?w=1080&q=80`;
    case PostImageKind.Blank:
      ep.blanks++;
      return s.ordinals.blank++ % 2 === 0 ? '' : '  ';
    case PostImageKind.Variant: {
      const key = upload(s, g, u, at);
      const v = s.ordinals.variant++ % 3;
      if (v === 0) ep.leadingSpace++;
      else if (v === 1) ep.trailingSpace++;
      else ep.upperCase++;
      return v === 0 ? ' ' + key : v === 1 ? key + ' ' : key.toUpperCase();
    }
  }
}

/** The author: a member who had joined by then; early members post more. */
function author(people: PostEnv['people'], g: number, at: number, r: Rng): number {
  const join = people.orgJoin[g];
  let lo = 0;
  let hi = join.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (join[mid] <= at) lo = mid + 1;
    else hi = mid;
  }
  return people.orgMembers[g][Math.floor(Math.max(1, lo) * r.float() ** 1.3)];
}

function content(ctx: SeedContext, r: Rng): string {
  const { sentences, emojis } = ctx.pools;
  let text = sentences[r.int(sentences.length)];
  const extra = r.float();
  if (extra < 0.35) text += (extra < 0.05 ? '\n\n' : ' ') + sentences[r.int(sentences.length)];
  if (extra < 0.1) text += ' ' + sentences[r.int(sentences.length)];
  if (r.chance(0.06)) text += ' ' + emojis[r.int(emojis.length)];
  return text;
}

/** The posts of one chunk and the storage rows of their uploads: the same task gives the same bytes, in any thread. */
export function postChunk(env: PostEnv, t: PostTask): PostChunk {
  const { ctx, people } = env;
  const { END } = ctx;
  // Streams of this chunk only, so chunks can be generated in any order, on any thread.
  const r = ctx.rng(`posts.row/${t.k}`);
  const storage = new StorageRows(ctx, `/posts/${t.k}`);
  const s: PostImageState = { env, storage, ir: ctx.rng(`posts.image/${t.k}`), ep: emptyPostEdge(), ordinals: { ...t.ordinals } };
  // A Sink turns the text into Buffers every MiB: strings kept for a whole chunk would outlive the
  // young generation and make the garbage collector copy them twice, then sweep them.
  const out = new Sink(null);
  for (let j = 0; j < t.ids.length; j++) {
    const g = t.org[j];
    const at = t.at[j];
    const u = author(people, g, at, r);
    const text = content(ctx, r);
    const updated = r.chance(0.12) ? Math.min(at + MINUTE + r.int(30 * DAY), END) : at;
    const image = postImage(s, t.kind[j] as PostImageKind, t.start + j, g, u, at);
    if (image !== null) s.ep.withImage++;
    out.add(`${t.ids[j]}\t${people.orgIds[g]}\t${people.userIds[u]}\t${S(text)}\t${S(image)}\t${ctx.ts(at)}\t${ctx.ts(updated)}\n`);
  }
  return { k: t.k, posts: out.take(), storage: storage.sink.take(), storageRows: storage.sink.rows, edge: s.ep };
}

export function emptyPostEdge(): PostEdge {
  return {
    withImage: 0, duplicateKey: 0, duplicateStorageRows: 0, duplicateTieGroups: 0, duplicateOtherOrgDecoys: 0,
    missingKey: 0, otherOrgOnly: 0, urls: 0, blanks: 0, leadingSpace: 0, trailingSpace: 0, upperCase: 0,
    sharedImage: 0, sharedKeys: 0,
  };
}

/** The tasks of the posts, CHUNK_POSTS at a time, each with the ordinals it starts from. */
export function* postTasks(ctx: SeedContext, plan: PostPlan, postIds: string[], chunk: number): Generator<PostTask> {
  const ordinals: PostOrdinals = { dup: 0, url: 0, blank: 0, variant: 0 };
  for (let k = 0, start = 0; start < ctx.P; k++, start += chunk) {
    const end = Math.min(ctx.P, start + chunk);
    const kind = plan.imgKind.slice(start, end);
    yield { k, start, ids: postIds.slice(start, end), org: plan.postOrg.slice(start, end), at: plan.postAt.slice(start, end), kind, ordinals: { ...ordinals } };
    for (const x of kind) {
      if (x === PostImageKind.Duplicate) ordinals.dup++;
      else if (x === PostImageKind.Url) ordinals.url++;
      else if (x === PostImageKind.Blank) ordinals.blank++;
      else if (x === PostImageKind.Variant) ordinals.variant++;
    }
  }
}

/** The ids of the posts, in plan order (post_likes refers to them). */
export function postIds(ctx: SeedContext): string[] {
  const idr = ctx.rng('posts.id');
  const ids: string[] = new Array(ctx.P);
  for (let i = 0; i < ctx.P; i++) ids[i] = idr.id();
  return ids;
}
