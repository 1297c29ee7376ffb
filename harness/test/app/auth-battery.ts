// What an app does with better-auth, called in-process against a real database, with the effect of
// each call read back from the tables. auth-*.test.ts run it at every state of the pack.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type pg from 'pg';
import { createAuth, type AuthSettings } from '../../../app/auth.ts';
import * as before from '../../../app/schema/states/before.ts';
import * as transition from '../../../app/schema/states/transition.ts';
import * as after from '../../../app/schema/states/after.ts';
import * as afterDrop from '../../../app/schema/states/after-drop.ts';

/** The app's Drizzle schema for each state it deploys against (app/schema/states/). */
export const STATE_SCHEMAS = { before, transition, after, 'after-drop': afterDrop } as const;
export type SchemaState = keyof typeof STATE_SCHEMAS;

export const PROVIDER_AVATAR = 'https://avatars.githubusercontent.com/u/9919?v=4';

/** What the state of the database makes of a write to "user".image. */
export interface Expect {
  /** "user".image_id exists (from the first expand step on) */
  imageIdColumn: boolean;
  /** the user sync trigger is attached (transition until the user contract) */
  userTrigger: boolean;
}

type Auth = ReturnType<typeof createAuth>;

// The hash never reaches the schema: a cheap one keeps the hundred-odd hashes of a walk
// fast (scrypt's cost here: README, "better-auth configuration"). The stored value still goes
// through account.password, and a wrong password must still fail.
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
export const cheapPassword = {
  hash: async (password: string) => sha(password),
  verify: async ({ hash, password }: { hash: string; password: string }) => hash === sha(password),
};

// One secret per run: a session cookie signed by one auth instance is read by the next state's.
const SECRET = randomBytes(32).toString('hex');

export function testAuth(database: AuthSettings['database'], avatar: AuthSettings['avatar']): Auth {
  return createAuth({
    database,
    avatar,
    secret: SECRET,
    baseURL: 'http://localhost:3000',
    extra: {
      emailAndPassword: { enabled: true, password: cheapPassword },
      // the walk provokes failures on purpose (a wrong password, a contradicting write): the
      // assertions report them, better-auth's own log lines would only bury the test output
      logger: { disabled: true },
    },
  });
}

const unique = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}`;

/** The user's row as the database has it now: whatever columns the state has (to_jsonb, one round trip). */
export async function userRow(db: pg.Client, id: string) {
  const { rows } = await db.query(`SELECT to_jsonb(u) AS row FROM "user" u WHERE u.id = $1`, [id]);
  return rows[0]?.row;
}

/** A storage row for an avatar upload (organization_id NULL: a personal upload). */
export async function upload(db: pg.Client, userId: string): Promise<{ id: string; key: string }> {
  const id = unique('st');
  const key = `avatars/${userId}/${id}.png`;
  await db.query(
    `INSERT INTO storage (id, file_key, file_name, content_type, size, user_id) VALUES ($1, $2, 'avatar.png', 'image/png', 1, $3)`,
    [id, key, userId],
  );
  return { id, key };
}

/** signUpEmail, signInEmail (and a wrong password refused), getSession with the session cookie. */
export async function signUpAndIn(auth: Auth, tag: string) {
  const email = `${unique(tag)}@example.com`;
  const password = 'correct horse battery staple';
  const signedUp = await auth.api.signUpEmail({ body: { email, password, name: 'Ada' } });
  expect(signedUp.user.email).toBe(email);
  await expect(auth.api.signInEmail({ body: { email, password: 'wrong password!' } })).rejects.toThrow();
  const signedIn = await auth.api.signInEmail({ body: { email, password }, returnHeaders: true });
  const cookies = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]);
  expect(cookies.some((c) => c.includes('session_token='))).toBe(true);
  const headers = new Headers({ cookie: cookies.join('; ') });
  const session = await auth.api.getSession({ headers });
  expect(session?.user.id).toBe(signedUp.user.id);
  return { userId: signedUp.user.id, headers };
}

/** updateUser(name) and the old app's avatar writes: a file key, null, a URL, into "user".image. */
export async function oldAppAvatar(auth: Auth, db: pg.Client, state: Expect, user: { userId: string; headers: Headers }) {
  const { userId, headers } = user;
  await auth.api.updateUser({ headers, body: { name: 'Ada L.' } });
  expect((await userRow(db, userId)).name).toBe('Ada L.');
  const file = await upload(db, userId);
  const cases: [string | null, string | null][] = [
    // a file key: its storage id while the trigger syncs, else image_id untouched (NULL)
    [file.key, state.userTrigger ? file.id : null],
    // image = null clears both
    [null, null],
    // a provider URL is not a storage key: image_id NULL
    [PROVIDER_AVATAR, null],
  ];
  for (const [image, imageId] of cases) {
    await auth.api.updateUser({ headers, body: { image } });
    const row = await userRow(db, userId);
    expect(row.image).toBe(image);
    if (state.imageIdColumn) expect(row.image_id).toBe(imageId);
  }
}

/**
 * The app's server sets imageId after its own access check (app/model's updateUserAvatar does the
 * same write through Drizzle); here through better-auth's adapter, so the field's mapping to the
 * column (fieldName) is what writes it.
 */
export async function setImageId(auth: Auth, userId: string, fields: { imageId: string | null; image?: string | null }) {
  await (await auth.$context).internalAdapter.updateUser(userId, fields);
}

/** A client cannot set imageId through better-auth (input: false): any storage id would do. */
export async function clientCannotSetImageId(auth: Auth, db: pg.Client, user: { userId: string; headers: Headers }, imageId: string) {
  const before = (await userRow(db, user.userId)).image_id;
  await expect(auth.api.updateUser({ headers: user.headers, body: { imageId } as never })).rejects.toThrow('imageId is not allowed to be set');
  expect((await userRow(db, user.userId)).image_id).toBe(before);
}

/** The new app: the avatar by id, set by the server; getSession returns it. */
export async function newAppAvatar(auth: Auth, db: pg.Client, state: Expect, user: { userId: string; headers: Headers }) {
  const { userId, headers } = user;
  await auth.api.updateUser({ headers, body: { image: PROVIDER_AVATAR } });
  const file = await upload(db, userId);
  await clientCannotSetImageId(auth, db, user, file.id);
  await setImageId(auth, userId, { imageId: file.id });
  const row = await userRow(db, userId);
  expect(row.image_id).toBe(file.id);
  // the trigger writes the key back for the old app; without it image keeps what better-auth wrote
  expect(row.image).toBe(state.userTrigger ? file.key : PROVIDER_AVATAR);
  const session = await auth.api.getSession({ headers });
  expect((session?.user as { imageId?: string } | undefined)?.imageId).toBe(file.id);
  await bothAtOnce(auth, db, state, user);
}

/** The SQLSTATE a call failed with: pg's error, or the cause Drizzle wraps it in ("Failed query: …"). */
export async function sqlStateOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (e) {
    const err = e as { code?: string; cause?: { code?: string } };
    return err.cause?.code ?? err.code;
  }
  throw new Error('the call succeeded; it was expected to fail');
}

/**
 * One write that sets a provider URL as image and an upload as imageId. While the user sync
 * trigger is attached (05 until the user contract) the two disagree by the mapping rule and the
 * write fails (23514); once the contract has dropped the trigger both are kept.
 */
async function bothAtOnce(auth: Auth, db: pg.Client, state: Expect, user: { userId: string; headers: Headers }) {
  const file = await upload(db, user.userId);
  const both = setImageId(auth, user.userId, { image: PROVIDER_AVATAR, imageId: file.id });
  if (state.userTrigger) {
    expect(await sqlStateOf(both)).toBe('23514');
    return;
  }
  await both;
  expect(await userRow(db, user.userId)).toMatchObject({ image: PROVIDER_AVATAR, image_id: file.id });
}

/** Social sign-in as better-auth performs it: the user with the provider's avatar URL, and the account. */
export async function socialSignIn(auth: Auth, db: pg.Client, state: Expect, image: 'kept' | 'discarded' = 'kept') {
  const ctx = await auth.$context;
  const email = `${unique('gh')}@example.com`;
  const created = await ctx.internalAdapter.createOAuthUser(
    { email, name: 'Grace', image: PROVIDER_AVATAR, emailVerified: true },
    { providerId: 'github', accountId: unique('gh-account'), accessToken: 'gho_token', scope: 'read:user' },
  );
  expect(created.account?.providerId).toBe('github');
  const row = await userRow(db, created.user.id);
  // discarded: no column (after the opt-in drop), or NULL (the configuration deployed before it)
  expect(row.image ?? null).toBe(image === 'kept' ? PROVIDER_AVATAR : null);
  if (state.imageIdColumn) expect(row.image_id).toBeNull();
}

/** createOrganization (the caller becomes its owner), then listOrganizations finds it. */
export async function organizations(auth: Auth, headers: Headers) {
  const slug = unique('org');
  const org = await auth.api.createOrganization({ headers, body: { name: 'Acme', slug } });
  expect(org?.slug).toBe(slug);
  const list = await auth.api.listOrganizations({ headers });
  expect(list.map((o) => o.id)).toContain(org?.id);
}
