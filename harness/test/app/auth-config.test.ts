// The better-auth configurations the README warns against, shown failing the way it says, on both
// adapters: image mapped to image_id at the pack's end state (a plain `up`); the new app's
// imageId before 01.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { betterAuth } from 'better-auth';
import { drizzle } from 'drizzle-orm/node-postgres';
import { baselineDb, connect } from '../db.ts';
import { migrate } from '../../../lib/migrate.ts';
import { authOptions, type AuthDatabase } from '../../../app/auth.ts';
import { cheapPassword, PROVIDER_AVATAR, sqlStateOf, STATE_SCHEMAS, testAuth } from './auth-battery.ts';

let url: string;
let db: pg.Client;
let pool: pg.Pool;

beforeAll(async () => {
  url = await baselineDb();
  await migrate(url, { direction: 'up' });
  db = await connect(url);
  pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
});
afterAll(async () => {
  await pool?.end();
  await db?.end();
});

const database = (adapter: AuthDatabase['adapter']): AuthDatabase =>
  adapter === 'pg' ? { adapter, pool } : { adapter, db: drizzle(pool), schema: STATE_SCHEMAS.after };

/** The app's options with better-auth's core `image` field mapped onto image_id. */
function imageMappedToImageId(adapter: AuthDatabase['adapter'], logged: unknown[] = []) {
  const options = authOptions({
    database: database(adapter),
    avatar: 'absent',
    secret: 'a-test-secret-that-is-long-enough-0123456789',
    baseURL: 'http://localhost:3000',
    extra: {
      emailAndPassword: { enabled: true, password: cheapPassword },
      // sign-up turns the database error into "Failed to create user" and only logs the cause
      logger: { log: (level, _message, ...args) => void (level === 'error' && logged.push(...args)) },
    },
  });
  // the Drizzle adapter names the Drizzle table's property, the built-in one the column
  const fields = { ...(options.user as { fields?: Record<string, string> }).fields, image: adapter === 'pg' ? 'image_id' : 'imageId' };
  return betterAuth({ ...options, user: { ...options.user, fields } });
}

describe.each(['pg', 'drizzle'] as const)('user.fields.image mapped to image_id (%s adapter)', (adapter) => {
  it('social sign-in fails on the foreign key: a provider avatar URL is not a storage id', async () => {
    const auth = imageMappedToImageId(adapter);
    const ctx = await auth.$context;
    const signIn = ctx.internalAdapter.createOAuthUser(
      { email: `gh-${adapter}@example.com`, name: 'Grace', image: PROVIDER_AVATAR, emailVerified: true },
      { providerId: 'github', accountId: `gh-${adapter}` },
    );
    expect(await sqlStateOf(signIn)).toBe('23503');
    const users = await db.query(`SELECT 1 FROM "user" WHERE email = $1`, [`gh-${adapter}@example.com`]);
    expect(users.rowCount).toBe(0);
  });

  it('sign-up with an image URL fails the same way', async () => {
    const logged: unknown[] = [];
    const auth = imageMappedToImageId(adapter, logged);
    const signUp = auth.api.signUpEmail({
      body: { email: `su-${adapter}@example.com`, password: 'correct horse battery staple', name: 'Ada', image: PROVIDER_AVATAR },
    });
    await expect(signUp).rejects.toThrow('Failed to create user');
    expect(await Promise.all(logged.map((e) => sqlStateOf(Promise.reject(e))))).toContain('23503');
  });
});

describe('additionalFields.imageId before 01 (the new app deployed too early)', () => {
  it.each(['pg', 'drizzle'] as const)('every call fails on the %s adapter: image_id does not exist yet', async (adapter) => {
    const early = await baselineDb();
    const earlyPool = new pg.Pool({ connectionString: early, max: 2 });
    earlyPool.on('error', () => {});
    try {
      const database: AuthDatabase =
        adapter === 'pg' ? { adapter, pool: earlyPool } : { adapter, db: drizzle(earlyPool), schema: STATE_SCHEMAS.before };
      const auth = testAuth(database, 'beside-image');
      const signUp = auth.api.signUpEmail({ body: { email: `early-${adapter}@example.com`, password: 'correct horse battery staple', name: 'Ada' } });
      await expect(signUp).rejects.toThrow(adapter === 'pg' ? /Missing columns\s+user\.image_id/ : /Missing columns\s+user\.imageId/);
      // the old app's configuration is the one for this state
      const old = testAuth(database, 'absent');
      await old.api.signUpEmail({ body: { email: `early-${adapter}@example.com`, password: 'correct horse battery staple', name: 'Ada' } });
    } finally {
      await earlyPool.end();
    }
  });
});
