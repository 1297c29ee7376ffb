// The posts table: when and where each post is written (bigger organizations post more), which
// posts have an image and which edge case of the mapping rule each image is, then the rows,
// streamed, with the storage rows of their uploads.
import type pg from 'pg';
import type { Rng } from '../../random.ts';
import { copyInto } from '../copy.ts';
import { DAY, HOUR, MINUTE, S, Sink, cumulative, plant, weighted, type SeedContext } from './context.ts';
import type { People } from './people.ts';
import { POST_EXT, extOf, type StorageRows } from './storage.ts';

/** What a post's image_key is: every kind but None and Normal is an edge case of the mapping rule. */
const enum PostImageKind {
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
  /** source post -> its key, once fixed ('' until then) */
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
function planShares(ctx: SeedContext, r: Rng, postOrg: Int32Array, imgKind: Uint8Array): Pick<PostPlan, 'shareSource' | 'sourceKey'> {
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
    sourceKey.set(src, '');
  }
  ctx.edge.posts.sharedKeys = new Set(shareSource.values()).size;
  return { shareSource, sourceKey };
}

export function planPosts(ctx: SeedContext, people: People): PostPlan {
  const r = ctx.rng('posts.plan');
  const times = planPostTimes(ctx, people, r);
  const kinds = planPostImageKinds(ctx, r);
  return { ...times, ...kinds, ...planShares(ctx, r, times.postOrg, kinds.imgKind) };
}

interface PostImageState {
  ctx: SeedContext;
  people: People;
  storage: StorageRows;
  plan: PostPlan;
  ir: Rng;
  tieCount: number;
  ordinals: { dup: number; url: number; blank: number; variant: number };
}

const newKey = (s: PostImageState, g: number): string => {
  const [ext] = s.storage.pickExt(POST_EXT);
  return `org/${s.people.orgIds[g]}/posts/${s.ir.uuid()}.${ext}`;
};
const otherOrg = (s: PostImageState, g: number) => (g + 1 + s.ir.int(s.ctx.O - 1)) % s.ctx.O;
const uploadAt = (s: PostImageState, at: number) => at - 5000 - s.ir.int(10 * MINUTE);

/** an ordinary upload in organization g by user u; returns its key */
function upload(s: PostImageState, g: number, u: number, at: number, key = newKey(s, g)): string {
  const ext = extOf(key);
  s.storage.row(key, s.storage.uploadFileName(ext, at), s.storage.uploadSize(ext), s.people.userIds[u], s.people.orgIds[g], uploadAt(s, at));
  return key;
}

/** a. a key with 2-3 storage rows in the post's organization (and sometimes an older decoy elsewhere) */
function duplicateImage(s: PostImageState, g: number, u: number, at: number): string {
  const { storage, people, ir } = s;
  const ep = s.ctx.edge.posts;
  const image = newKey(s, g);
  const tie = s.ordinals.dup < s.tieCount;
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
function postImage(s: PostImageState, i: number, g: number, u: number, at: number): string | null {
  const ep = s.ctx.edge.posts;
  switch (s.plan.imgKind[i] as PostImageKind) {
    case PostImageKind.None:
      return null;
    case PostImageKind.Normal: {
      const known = s.plan.sourceKey.get(i);
      if (known === undefined) return upload(s, g, u, at);
      const image = known || newKey(s, g);
      s.plan.sourceKey.set(i, image);
      upload(s, g, u, at, image);
      return image;
    }
    case PostImageKind.Shared: {
      const src = s.plan.shareSource.get(i)!;
      let key = s.plan.sourceKey.get(src)!;
      if (!key) {
        // the source post comes later: fix its key now, it uploads when it is generated
        key = newKey(s, g);
        s.plan.sourceKey.set(src, key);
      }
      ep.sharedImage++;
      return key;
    }
    case PostImageKind.Duplicate:
      return duplicateImage(s, g, u, at);
    case PostImageKind.Missing:
      ep.missingKey++;
      return newKey(s, g);
    case PostImageKind.OtherOrg: {
      const g2 = otherOrg(s, g);
      ep.otherOrgOnly++;
      return upload(s, g2, s.people.randomMember(g2, s.ir), at, newKey(s, g2));
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
function author(people: People, g: number, at: number, r: Rng): number {
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

/** Streams the posts; returns their ids, in plan order (post_likes refers to them). */
export async function copyPosts(ctx: SeedContext, client: pg.ClientBase, people: People, storage: StorageRows, plan: PostPlan): Promise<string[]> {
  const { P, END } = ctx;
  ctx.progress('posts', 0, P);
  const postIds: string[] = new Array(P);
  await copyInto(client, ctx.copySql('COPY posts (id, organization_id, user_id, content, image_key, created_at, updated_at) FROM STDIN'), async (w) => {
    const sink = new Sink(w);
    const idr = ctx.rng('posts.id');
    const r = ctx.rng('posts.row');
    const s: PostImageState = {
      ctx, people, storage, plan, ir: ctx.rng('posts.image'),
      tieCount: plant(ctx.F.duplicateTies, plan.duplicates), ordinals: { dup: 0, url: 0, blank: 0, variant: 0 },
    };
    for (let i = 0; i < P; i++) {
      const g = plan.postOrg[i];
      const at = plan.postAt[i];
      const u = author(people, g, at, r);
      const text = content(ctx, r);
      const updated = r.chance(0.12) ? Math.min(at + MINUTE + r.int(30 * DAY), END) : at;
      const image = postImage(s, i, g, u, at);
      if (image !== null) ctx.edge.posts.withImage++;
      const id = idr.id();
      postIds[i] = id;
      if (sink.add(`${id}\t${people.orgIds[g]}\t${people.userIds[u]}\t${S(text)}\t${S(image)}\t${ctx.ts(at)}\t${ctx.ts(updated)}\n`)) await sink.flush();
      if ((i & 32767) === 0) ctx.progress('posts', i, P);
    }
    await sink.flush();
  });
  ctx.progress('posts', P, P);
  return postIds;
}
