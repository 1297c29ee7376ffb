// The "user" table: each user's image (a storage avatar, an OAuth URL, an organization upload's
// key, or one of the mapping rule's edge cases, with the storage rows they need), then the rows.
import type pg from 'pg';
import type { Rng } from '../../random.ts';
import { copyInto } from '../copy.ts';
import { DAY, MINUTE, S, Sink, emailLocal, plant, randomBase64Url, type SeedContext } from './context.ts';
import type { People } from './people.ts';
import { AVATAR_EXT, POST_EXT, extOf, type StorageRows } from './storage.ts';

/** What a user's image is: every kind but Avatar and Oauth is an edge case of the mapping rule. */
const enum UserImageKind {
  None,
  Avatar,
  Oauth,
  OrgKey,
  Duplicate,
  Missing,
  Blank,
  Variant,
}

export interface UserImages {
  image: (string | null)[];
  updated: Float64Array;
}

/** The kind of each user with an image, shuffled; planted counts from the fractions. */
function userImageKinds(ctx: SeedContext, ir: Rng, I: number): Uint8Array {
  const F = ctx.F;
  const kinds = new Uint8Array(I).fill(UserImageKind.Avatar);
  let k = 0;
  const fill = (kind: UserImageKind, n: number) => {
    for (let i = 0; i < n && k < I; i++) kinds[k++] = kind;
  };
  fill(UserImageKind.Oauth, F.userOauth > 0 ? Math.round(F.userOauth * I) : 0);
  fill(UserImageKind.OrgKey, plant(F.userOrgKeys, I));
  fill(UserImageKind.Duplicate, plant(F.userDuplicates, I));
  fill(UserImageKind.Missing, plant(F.userMissing, I));
  fill(UserImageKind.Blank, plant(F.userBlanks, I, 2));
  fill(UserImageKind.Variant, plant(F.userVariants, I, 3));
  if (k >= I) throw new Error(`scale too small: ${I} users with an image cannot hold every user edge case`);
  ir.shuffle(kinds);
  return kinds;
}

interface UserImageState {
  ctx: SeedContext;
  people: People;
  storage: StorageRows;
  ir: Rng;
  tieCount: number;
  ordinals: { dup: number; blank: number; variant: number };
}

/** One user's image of `kind`, set at `at`, with the storage rows it needs. */
function userImage(s: UserImageState, u: number, kind: UserImageKind, at: number): string {
  const { ctx, people, storage, ir } = s;
  const eu = ctx.edge.users;
  const userId = people.userIds[u];
  const avatarKey = () => `users/${userId}/avatar/${ir.uuid()}.${storage.pickExt(AVATAR_EXT)[0]}`;
  const avatarName = (key: string) =>
    ir.chance(0.5) ? `avatar.${extOf(key)}` : `${emailLocal(ctx.pools.firstNames[ir.int(ctx.pools.firstNames.length)])}.${extOf(key)}`;
  switch (kind) {
    case UserImageKind.Avatar: {
      const image = avatarKey();
      if (ir.chance(0.12)) {
        // earlier avatars the user has since replaced: nothing references them
        const n = 1 + ir.int(2);
        for (let j = 0; j < n; j++) {
          const old = avatarKey();
          const created = people.userCreated[u];
          storage.row(old, avatarName(old), storage.avatarSize(), userId, null, created + Math.floor((at - created) * ir.float()));
          ctx.edge.storage.replacedAvatars++;
        }
      }
      storage.row(image, avatarName(image), storage.avatarSize(), userId, null, at);
      eu.storageAvatar++;
      return image;
    }
    case UserImageKind.Oauth:
      eu.oauthUrl++;
      return ir.chance(0.6)
        ? `https://lh3.googleusercontent.com/a/ACg8oc${randomBase64Url(ir, 40 + ir.int(20))}=s96-c`
        : `https://avatars.githubusercontent.com/u/${1 + ir.int(190_000_000)}?v=4`;
    case UserImageKind.OrgKey: {
      // "use this upload as my profile picture": a key in one of the user's organizations
      const orgs = people.userOrgs[u];
      const g = orgs[ir.int(orgs.length)];
      const [ext] = storage.pickExt(POST_EXT);
      const image = `org/${people.orgIds[g]}/posts/${ir.uuid()}.${ext}`;
      storage.row(image, storage.uploadFileName(ext, at), storage.uploadSize(ext), userId, people.orgIds[g], at);
      eu.orgUploadKey++;
      return image;
    }
    case UserImageKind.Duplicate: {
      const image = avatarKey();
      const tie = s.ordinals.dup++ < s.tieCount;
      eu.duplicateStorageRows += storage.duplicateGroup(image, avatarName(image), storage.avatarSize(), [userId], null, at, tie);
      eu.duplicateKey++;
      if (tie) eu.duplicateTieGroups++;
      return image;
    }
    case UserImageKind.Missing:
      eu.missingKey++;
      return avatarKey();
    case UserImageKind.Blank:
      eu.blanks++;
      return s.ordinals.blank++ % 2 === 0 ? '' : ' ';
    case UserImageKind.Variant: {
      const key = avatarKey();
      storage.row(key, avatarName(key), storage.avatarSize(), userId, null, at);
      const v = s.ordinals.variant++ % 3;
      if (v === 0) eu.leadingSpace++;
      else if (v === 1) eu.trailingSpace++;
      else eu.upperCase++;
      return v === 0 ? ' ' + key : v === 1 ? key + ' ' : key.toUpperCase();
    }
    default:
      throw new Error('unreachable');
  }
}

/** Which users have an image, of which kind, and the storage rows behind them. */
export function planUserImages(ctx: SeedContext, people: People, storage: StorageRows): UserImages {
  const { U, END } = ctx;
  const ir = ctx.rng('user.image');
  const image: (string | null)[] = new Array(U).fill(null);
  const updated = Float64Array.from(people.userCreated);
  const has: number[] = [];
  for (let u = 0; u < U; u++) if (ir.chance(ctx.F.usersWithImage)) has.push(u);
  const kinds = userImageKinds(ctx, ir, has.length);
  const dupCount = kinds.reduce((n, x) => n + (x === UserImageKind.Duplicate ? 1 : 0), 0);
  const state: UserImageState = { ctx, people, storage, ir, tieCount: plant(ctx.F.duplicateTies, dupCount), ordinals: { dup: 0, blank: 0, variant: 0 } };
  for (let i = 0; i < has.length; i++) {
    const u = has[i];
    const at = Math.min(people.userCreated[u] + Math.floor(ir.float() ** 3 * 90 * DAY), END - MINUTE);
    image[u] = userImage(state, u, kinds[i] as UserImageKind, at);
    updated[u] = Math.max(updated[u], at);
    ctx.edge.users.withImage++;
  }
  return { image, updated };
}

export async function copyUsers(ctx: SeedContext, client: pg.ClientBase, people: People, images: UserImages): Promise<void> {
  const { U, pools } = ctx;
  ctx.progress('user', 0, U);
  await copyInto(client, ctx.copySql('COPY "user" (id, name, email, email_verified, image, created_at, updated_at) FROM STDIN'), async (w) => {
    const sink = new Sink(w);
    const r = ctx.rng('user.row');
    for (let u = 0; u < U; u++) {
      const first = r.pick(pools.firstNames);
      const last = r.pick(pools.lastNames);
      const fl = emailLocal(first) || 'user';
      const ll = emailLocal(last) || 'x';
      const p = r.float();
      // the index suffix makes every address unique (the local parts carry no digits)
      const local = p < 0.5 ? `${fl}.${ll}${u}` : p < 0.8 ? `${fl[0]}${ll}${u}` : `${fl}${u}`;
      const email = `${local}@${r.pick(pools.emailDomains)}`;
      const image = images.image[u];
      const verified = (image !== null && image.startsWith('https://')) || r.chance(0.85);
      if (sink.add(
        `${people.userIds[u]}\t${S(first + ' ' + last)}\t${email}\t${verified ? 't' : 'f'}\t${S(image)}\t${ctx.ts(people.userCreated[u])}\t${ctx.ts(images.updated[u])}\n`,
      )) await sink.flush();
      if ((u & 16383) === 0) ctx.progress('user', u, U);
    }
    await sink.flush();
  });
  ctx.progress('user', U, U);
}
