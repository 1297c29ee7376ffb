// better-auth around the opt-in drop of "user".image (migrations/opt-in/): the default
// configuration refuses the dropped schema, the README's configuration works on both adapters,
// and the opt-in's down brings the default configuration back. One scratch database: a plain up,
// the drop, its down.
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { drizzle } from 'drizzle-orm/node-postgres';
import { baselineDb, connect, applied } from '../db.ts';
import { migrate } from '../../../lib/migrate.ts';
import { MIGRATIONS_DIR, OPT_IN, OPT_IN_DIR } from '../../../lib/plan.ts';
import { createAuth, type AuthDatabase, type AuthSettings } from '../../../app/auth.ts';
import * as battery from './auth-battery.ts';

const ADAPTERS = ['pg', 'drizzle'] as const;
const DROP = OPT_IN[0].name;

let url: string;
let db: pg.Client;
let pool: pg.Pool;

/** The opt-in step, one up or down, asked for by name as its README says (image_ref.drop_user_image). */
async function optIn(direction: 'up' | 'down') {
  const client = new pg.Client({ connectionString: url, options: '-c image_ref.drop_user_image=yes' });
  await client.connect();
  try {
    await runner({
      dbClient: client,
      dir: path.join(MIGRATIONS_DIR, OPT_IN_DIR),
      direction,
      count: 1,
      migrationsTable: 'pgmigrations',
      checkOrder: true,
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
  } finally {
    await client.end();
  }
}

function auth(adapter: (typeof ADAPTERS)[number], avatar: AuthSettings['avatar'], schema: battery.SchemaState) {
  const database: AuthDatabase = adapter === 'pg' ? { adapter, pool } : { adapter, db: drizzle(pool), schema: battery.STATE_SCHEMAS[schema] };
  return battery.testAuth(database, avatar);
}

/**
 * The README's configuration for the drop ('image-dropped', Drizzle schema after-drop.ts): every
 * call works, avatars by imageId, and an image from a client or a provider goes nowhere. It is
 * deployed before the drop and stays until after its down, so it must work with and without the column.
 */
async function droppedConfigurationWorks(adapter: (typeof ADAPTERS)[number]) {
  const a = auth(adapter, 'image-dropped', 'after-drop');
  const state: battery.Expect = { imageIdColumn: true, userTrigger: false };
  const user = await battery.signUpAndIn(a, `dropped-${adapter}`);
  await a.api.updateUser({ headers: user.headers, body: { name: 'Ada L.' } });
  expect(await battery.userRow(db, user.userId)).toMatchObject({ name: 'Ada L.', image_id: null });
  const file = await battery.upload(db, user.userId);
  await battery.clientCannotSetImageId(a, db, user, file.id);
  await battery.setImageId(a, user.userId, { imageId: file.id });
  await a.api.updateUser({ headers: user.headers, body: { image: battery.PROVIDER_AVATAR } });
  const row = await battery.userRow(db, user.userId);
  expect(row).toMatchObject({ image_id: file.id });
  expect(row.image ?? null).toBeNull();
  const session = await a.api.getSession({ headers: user.headers });
  expect(session?.user).toMatchObject({ id: user.userId, imageId: file.id });
  await battery.socialSignIn(a, db, state, 'discarded');
  await battery.organizations(a, user.headers);
  const withImage = await a.api.signUpEmail({
    body: { email: `${user.userId}-img@example.com`, password: 'correct horse battery staple', name: 'Ada', image: battery.PROVIDER_AVATAR },
  });
  expect(await battery.userRow(db, withImage.user.id)).toMatchObject({ image_id: null });
}

// A social user from before the drop: its provider URL is what the drop keeps and its down restores.
let socialUser: string;

beforeAll(async () => {
  url = await baselineDb();
  await migrate(url, { direction: 'up' });
  db = await connect(url);
  pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  const ctx = await auth('pg', 'beside-image', 'after').$context;
  const created = await ctx.internalAdapter.createOAuthUser(
    { email: 'before-drop@example.com', name: 'Grace', image: battery.PROVIDER_AVATAR, emailVerified: true },
    { providerId: 'github', accountId: 'gh-before-drop' },
  );
  socialUser = created.user.id;
});
afterAll(async () => {
  await pool?.end();
  await db?.end();
});

describe('before the drop: the configuration for it is deployed first', () => {
  it.each(ADAPTERS)('works while "user".image still exists (%s adapter)', droppedConfigurationWorks);
});

describe('after the opt-in drop of "user".image', () => {
  beforeAll(() => optIn('up'));

  it('the drop is applied and the column is gone', async () => {
    expect((await applied(url)).at(-1)).toBe(DROP);
    expect(await battery.userRow(db, socialUser)).not.toHaveProperty('image');
  });

  it.each(ADAPTERS)('the default configuration refuses every call (%s adapter): Missing columns user.image', async (adapter) => {
    const a = auth(adapter, 'beside-image', 'after-drop');
    const signUp = a.api.signUpEmail({ body: { email: `refused-${adapter}@example.com`, password: 'correct horse battery staple', name: 'Ada' } });
    await expect(signUp).rejects.toThrow(/schema mismatch[\s\S]*Missing columns\s+user\.image\b/);
  });

  it.each(ADAPTERS)('with only the schema check off, social sign-in still fails (%s adapter): better-auth writes image', async (adapter) => {
    const database: AuthDatabase = adapter === 'pg' ? { adapter, pool } : { adapter, db: drizzle(pool), schema: battery.STATE_SCHEMAS['after-drop'] };
    const a = createAuth({
      database,
      avatar: 'beside-image',
      secret: 'a-test-secret-that-is-long-enough-0123456789',
      baseURL: 'http://localhost:3000',
      extra: { advanced: { database: { validateSchema: false } } },
    });
    const signIn = (await a.$context).internalAdapter.createOAuthUser(
      { email: `unchecked-${adapter}@example.com`, name: 'Grace', image: battery.PROVIDER_AVATAR, emailVerified: true },
      { providerId: 'github', accountId: `gh-unchecked-${adapter}` },
    );
    if (adapter === 'pg') expect(await battery.sqlStateOf(signIn)).toBe('42703');
    else await expect(signIn).rejects.toThrow('The field "image" does not exist in the "user" Drizzle schema');
  });

  it.each(ADAPTERS)('the README configuration works (%s adapter)', droppedConfigurationWorks);
});

describe("the opt-in drop's down", () => {
  beforeAll(() => optIn('down'));

  it('puts the provider URLs back', async () => {
    expect(await applied(url)).not.toContain(DROP);
    expect(await battery.userRow(db, socialUser)).toMatchObject({ image: battery.PROVIDER_AVATAR });
  });

  it.each(ADAPTERS)('the configuration for the drop still works (%s adapter): it is replaced after the down', droppedConfigurationWorks);

  it.each(ADAPTERS)('the default configuration works again (%s adapter)', async (adapter) => {
    const a = auth(adapter, 'beside-image', 'after');
    const state: battery.Expect = { imageIdColumn: true, userTrigger: false };
    const user = await battery.signUpAndIn(a, `restored-${adapter}`);
    await battery.oldAppAvatar(a, db, state, user);
    await battery.newAppAvatar(a, db, state, user);
    await battery.socialSignIn(a, db, state);
    await battery.organizations(a, user.headers);
  });
});
