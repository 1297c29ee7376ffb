// better-auth for the app's schema, on either adapter: the built-in one (a pg Pool, Kysely under
// the hood) or the Drizzle adapter. The tables are the ones better-auth's generator writes for the
// Drizzle adapter (snake_case columns); the Drizzle schema carries that mapping itself, the
// built-in adapter needs it spelled out (SNAKE_CASE_FIELDS).
//
// Avatars: better-auth owns "user".image (social sign-in writes the provider's avatar URL there).
// The pack adds "user".image_id (a foreign key to storage) beside it; better-auth sees it as the
// additional field `imageId`, read-only to clients. Never map `user.fields.image` to image_id:
// provider URLs are not storage ids, and sign-up / social sign-in then fail on the foreign key
// (README: "better-auth configuration").
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { organization } from 'better-auth/plugins';
import type pg from 'pg';
import * as appSchema from './schema/index.ts';

export type AuthDatabase =
  /** better-auth's built-in adapter on a pg Pool */
  | { adapter: 'pg'; pool: pg.Pool }
  /**
   * better-auth's Drizzle adapter; `schema`: the Drizzle schema of the state deployed
   * (app/schema/states/), by default the app's (app/schema/index.ts: after the pack)
   */
  | { adapter: 'drizzle'; db: object; schema?: Record<string, unknown> };

export interface AuthSettings {
  database: AuthDatabase;
  secret: string;
  baseURL: string;
  /**
   * Where the deployed schema stands on "user".image_id:
   * - 'absent': before the pack's 01 (or after its full rollback); the app does not know image_id;
   * - 'beside-image': from 01 on: image_id beside image (the default end state of the pack);
   * - 'image-dropped': after the opt-in drop of "user".image (migrations/opt-in/).
   */
  avatar?: 'absent' | 'beside-image' | 'image-dropped';
  socialProviders?: BetterAuthOptions['socialProviders'];
  /** extra options, merged last (tests lower the password hashing cost here, say) */
  extra?: Partial<BetterAuthOptions>;
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const fields = (names: string[]) => Object.fromEntries(names.map((n) => [n, snake(n)]));

/**
 * better-auth's camelCase fields whose snake_case columns the built-in adapter must be told about
 * (its Kysely queries use the field names as column names). Single-word fields need no entry.
 */
export const SNAKE_CASE_FIELDS = {
  user: ['emailVerified', 'createdAt', 'updatedAt'],
  session: ['expiresAt', 'createdAt', 'updatedAt', 'ipAddress', 'userAgent', 'userId'],
  account: [
    'accountId', 'providerId', 'userId', 'accessToken', 'refreshToken', 'idToken',
    'accessTokenExpiresAt', 'refreshTokenExpiresAt', 'createdAt', 'updatedAt',
  ],
  verification: ['expiresAt', 'createdAt', 'updatedAt'],
  organization: ['createdAt'],
  member: ['organizationId', 'userId', 'createdAt'],
  invitation: ['organizationId', 'expiresAt', 'createdAt', 'inviterId'],
} as const;

/** better-auth's options for the app; `createAuth` wraps them. */
export function authOptions(s: AuthSettings) {
  const d = s.database;
  const builtIn = d.adapter === 'pg';
  const map = (model: keyof typeof SNAKE_CASE_FIELDS) => (builtIn ? { fields: fields([...SNAKE_CASE_FIELDS[model]]) } : {});
  const avatar = s.avatar ?? 'beside-image';
  return {
    secret: s.secret,
    baseURL: s.baseURL,
    database: d.adapter === 'pg' ? d.pool : drizzleAdapter(d.db, { provider: 'pg', schema: d.schema ?? appSchema }),
    emailAndPassword: { enabled: true },
    socialProviders: s.socialProviders,
    user: { ...map('user'), ...userAvatarFields(avatar, builtIn) },
    session: map('session'),
    account: map('account'),
    verification: map('verification'),
    plugins: [
      organization({
        schema: {
          session: builtIn ? { fields: { activeOrganizationId: 'active_organization_id' } } : undefined,
          organization: map('organization'),
          member: map('member'),
          invitation: map('invitation'),
        },
      }),
    ],
    ...(avatar === 'image-dropped' ? WITHOUT_IMAGE_COLUMN : {}),
    ...s.extra,
  } satisfies BetterAuthOptions;
}

// After the opt-in drop of "user".image. better-auth cannot leave a core field out of its schema
// (no option removes `image`), so:
// - its schema check is off: it would refuse every call (SchemaMismatchError, "Missing columns
//   user.image") on the built-in adapter, and on the Drizzle adapter with a table without image;
// - every user write loses `image` before it reaches the adapter: the built-in adapter would send
//   the column (42703) and the Drizzle adapter refuses a field its table lacks, so sign-up with an
//   image and social sign-in (which always carries the provider's avatar URL) would fail.
// Provider avatar URLs are therefore not kept; avatars are uploads, referenced by imageId.
const dropImage = async () => ({ data: { image: undefined } });
const WITHOUT_IMAGE_COLUMN = {
  advanced: { database: { validateSchema: false } },
  databaseHooks: { user: { create: { before: dropImage }, update: { before: dropImage } } },
} satisfies Partial<BetterAuthOptions>;

/**
 * The additional field `imageId` (from 01 on). The Drizzle adapter addresses columns by the
 * Drizzle table's property name (`imageId`), the built-in adapter by the column name (`image_id`).
 * better-auth reads it (the session's user carries it) but its endpoints refuse it as input
 * (`input: false`): a client's updateUser could otherwise point its avatar at any storage id,
 * another organization's private upload included. The app sets it on the server after checking
 * access: app/model's updateUserAvatar.
 */
function userAvatarFields(avatar: NonNullable<AuthSettings['avatar']>, builtIn: boolean) {
  if (avatar === 'absent') return {};
  return {
    additionalFields: {
      imageId: { type: 'string', required: false, input: false, fieldName: builtIn ? 'image_id' : 'imageId' },
    },
  } as const;
}

export function createAuth(s: AuthSettings) {
  return betterAuth(authOptions(s));
}

export type Auth = ReturnType<typeof createAuth>;
