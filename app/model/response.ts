// The route-level mapping of Phase 3: rows carry object keys (joined from storage); responses
// carry URLs. Keys never reach the client; the signer (app/storage.ts presignedGetSigner, or any
// CDN signer) is passed in, so this file needs no object-store client.
import type { FeedItem, FeedPage } from './feed.ts';
import type { PostWithImage } from './posts.ts';
import type { UserWithAvatar } from './users.ts';

/** Signs a GET for one object key, valid for expiresIn seconds (app/storage.ts's UrlSigner). */
export type UrlSigner = (key: string, expiresIn: number) => Promise<string>;

export const URL_TTL_SECONDS = 3600;

/** Signs each distinct key once (a feed page repeats its authors' avatars), null for no key. */
function signerFor(sign: UrlSigner, expiresIn: number) {
  const signed = new Map<string, Promise<string>>();
  return (key: string | null): Promise<string | null> => {
    if (key === null || key === '') return Promise.resolve(null);
    let url = signed.get(key);
    if (!url) signed.set(key, (url = sign(key, expiresIn)));
    return url;
  };
}

type Signed = ReturnType<typeof signerFor>;

/** An uploaded avatar wins; else better-auth's image, a provider URL that needs no signing. */
async function avatarUrl(s: Signed, key: string | null, providerImage: string | null): Promise<string | null> {
  return (await s(key)) ?? (providerImage && /^https?:\/\//i.test(providerImage) ? providerImage : null);
}

export type PostResponse = Omit<PostWithImage, 'imageKey'> & { imageUrl: string | null };

export async function toPostResponse(post: PostWithImage, sign: UrlSigner, expiresIn = URL_TTL_SECONDS): Promise<PostResponse> {
  const { imageKey, ...rest } = post;
  return { ...rest, imageUrl: await signerFor(sign, expiresIn)(imageKey) };
}

export type FeedItemResponse = Omit<FeedItem, 'imageKey' | 'authorAvatarKey'> & {
  imageUrl: string | null;
  /** the author's uploaded avatar (the feed leaves provider URLs to the user endpoint) */
  authorAvatarUrl: string | null;
};

async function feedItem(s: Signed, item: FeedItem): Promise<FeedItemResponse> {
  const { imageKey, authorAvatarKey, ...rest } = item;
  const [imageUrl, authorAvatarUrl] = await Promise.all([s(imageKey), s(authorAvatarKey)]);
  return { ...rest, imageUrl, authorAvatarUrl };
}

export async function toFeedResponse(page: FeedPage, sign: UrlSigner, expiresIn = URL_TTL_SECONDS) {
  const s = signerFor(sign, expiresIn);
  return { items: await Promise.all(page.items.map((item) => feedItem(s, item))), nextCursor: page.nextCursor };
}

export type UserResponse = Omit<UserWithAvatar, 'avatarKey' | 'image'> & { avatarUrl: string | null };

export async function toUserResponse(u: UserWithAvatar, sign: UrlSigner, expiresIn = URL_TTL_SECONDS): Promise<UserResponse> {
  const { avatarKey, image, ...rest } = u;
  return { ...rest, avatarUrl: await avatarUrl(signerFor(sign, expiresIn), avatarKey, image) };
}

/** A storage row for the client: its URL instead of its key. */
export async function toFileResponse<T extends { fileKey: string }>(file: T, sign: UrlSigner, expiresIn = URL_TTL_SECONDS) {
  const { fileKey, ...rest } = file;
  return { ...rest, url: (await signerFor(sign, expiresIn)(fileKey))! };
}
