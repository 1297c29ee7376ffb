// The stock node-pg-migrate CLI, as DBAs run it: defaults, --no-single-transaction, up N / down N,
// a database without the baseline, and the contract's refusal.
import { describe, it, expect } from 'vitest';
import { baselineDb, emptyDb, connect, applied, casesDb } from './db.ts';
import { cli } from './cli.ts';
import { migrationNames } from '../../lib/migrate.ts';
import { firstOf } from '../../lib/plan.ts';



async function oldValues(url: string) {
  const c = await connect(url);
  try {
    return {
      posts: (await c.query('SELECT id, image_key FROM posts ORDER BY id')).rows,
      user: (await c.query('SELECT id, image FROM "user" ORDER BY id')).rows,
    };
  } finally {
    await c.end();
  }
}


describe('stock node-pg-migrate CLI: up and down', () => {
  for (const mode of [[], ['--no-single-transaction']]) {
    it(`up then full down restores every old value (${mode.join(' ') || 'defaults'})`, async () => {
      const url = await casesDb();
      const before = await oldValues(url);
      const up = await cli(['up', ...mode], { DATABASE_URL: url });
      expect(up.out).toContain('Migrations complete!');
      expect(up.code).toBe(0);
      expect(await applied(url)).toEqual(migrationNames());
      const c = await connect(url);
      const cols = await c.query(`SELECT table_name, column_name FROM information_schema.columns
                                  WHERE table_schema = 'public' AND table_name IN ('posts', 'user') AND column_name IN ('image', 'image_key', 'image_id') ORDER BY 1, 2`);
      await c.end();
      // posts.image_key is gone; "user".image stays for better-auth (09 keeps it; dropping it is opt-in).
      expect(cols.rows).toEqual([
        { table_name: 'posts', column_name: 'image_id' },
        { table_name: 'user', column_name: 'image' },
        { table_name: 'user', column_name: 'image_id' },
      ]);

      const down = await cli(['down', String(migrationNames().length), ...mode], { DATABASE_URL: url });
      expect(down.code).toBe(0);
      expect(await applied(url)).toEqual([]);
      expect(await oldValues(url)).toEqual(before);
    });
  }

  it('goes step by step with up N and down N', async () => {
    const url = await casesDb();
    const before = await oldValues(url);
    const names = migrationNames();
    for (const n of [2, 3, 4]) expect((await cli(['up', String(n)], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(names);
    expect((await cli(['down', '2'], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(names.slice(0, -2));
    expect((await cli(['up', '1'], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(names.slice(0, -1));
    expect((await cli(['down', String(names.length - 1)], { DATABASE_URL: url })).code).toBe(0);
    expect(await oldValues(url)).toEqual(before);
  });

  it('stops before the user contract with up 8, as the README shows for better-auth', async () => {
    const url = await casesDb();
    const names = migrationNames();
    expect((await cli(['up', '8'], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(names.slice(0, names.indexOf('08_contract-posts') + 1));
    const c = await connect(url);
    const image = await c.query(`SELECT count(*)::int AS n FROM "user" WHERE image IS NOT NULL`);
    await c.end();
    expect(image.rows[0].n).toBeGreaterThan(0);
  });

  it('rolls the contract back without moving an app-chosen duplicate image, and leaves the triggers working', async () => {
    const url = await casesDb();
    expect((await cli(['up'], { DATABASE_URL: url })).code).toBe(0);
    const c = await connect(url);
    // The new app picks the younger of two storage rows that share a key.
    await c.query(`UPDATE posts SET image_id = 's_tie_b' WHERE id = 'p_tie'`);
    const r = await cli(['down', '2'], { DATABASE_URL: url, BACKFILL_BATCH_SIZE: '3' });
    expect(r.code).toBe(0);
    const row = await c.query(`SELECT image_key, image_id FROM posts WHERE id = 'p_tie'`);
    expect(row.rows).toEqual([{ image_key: 'org/org_a/posts/tie.jpg', image_id: 's_tie_b' }]);
    const archives = await c.query(`SELECT to_regclass('posts_image_key_archive') AS p, to_regclass('user_image_archive') AS u`);
    expect(archives.rows).toEqual([{ p: null, u: null }]);
    // The sync trigger is back: an old-app write resolves again.
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/old.jpg' WHERE id = 'p_tie'`);
    expect((await c.query(`SELECT image_id FROM posts WHERE id = 'p_tie'`)).rows).toEqual([{ image_id: 's_old_z' }]);
    await c.end();
  });
});

describe('stock node-pg-migrate CLI: a database without the baseline', () => {
  it('stops on a database without the baseline, naming what is missing, before changing anything', async () => {
    const url = await emptyDb();
    const r = await cli(['up'], { DATABASE_URL: url });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/baseline schema not found in schema public: missing tables: "user", organization, posts, storage; missing columns: none/);
    expect(await applied(url)).toEqual([]);
    const c = await connect(url);
    const objs = await c.query(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname <> 'pgmigrations' AND relname <> 'pgmigrations_pkey' AND relname NOT LIKE 'pgmigrations_%'`);
    await c.end();
    expect(objs.rows).toEqual([]);
  });

  it('names a missing column when the tables exist but the shape differs', async () => {
    const url = await baselineDb();
    const c = await connect(url);
    await c.query('ALTER TABLE posts RENAME COLUMN image_key TO picture');
    await c.end();
    const r = await cli(['up'], { DATABASE_URL: url });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/missing tables: none; missing columns: posts\.image_key/);
  });
});

describe('stock node-pg-migrate CLI: the contract\'s refusal', () => {
  it('refuses the contract, with nothing changed, when a mappable key has no image_id', async () => {
    const url = await casesDb();
    const names = migrationNames();
    const upTo = firstOf('contract');
    expect((await cli(['up', String(upTo)], { DATABASE_URL: url })).code).toBe(0);
    const c = await connect(url);
    // Bypass the sync trigger, as a write racing an old trigger-less replica could.
    await c.query(`ALTER TABLE posts DISABLE TRIGGER image_ref_sync`);
    await c.query(`UPDATE posts SET image_id = NULL WHERE id = 'p_tie'`);
    await c.query(`ALTER TABLE posts ENABLE TRIGGER image_ref_sync`);
    const r = await cli(['up'], { DATABASE_URL: url });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/contract refused, nothing changed: posts is not backfilled: 1 rows have a mappable key and no image_id, or a key that disagrees with image_id \(posts: p_tie \(mappable key, no image_id\)\)/);
    expect(await applied(url)).toEqual(names.slice(0, upTo));
    const still = await c.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'posts' AND column_name = 'image_key'`);
    expect(still.rows[0].n).toBe(1);
    expect((await c.query(`SELECT to_regclass('posts_image_key_archive') AS t`)).rows[0].t).toBeNull();

    // A key that disagrees with its image_id is refused too.
    await c.query(`ALTER TABLE posts DISABLE TRIGGER image_ref_sync`);
    await c.query(`UPDATE posts SET image_id = 's_tie_a' WHERE id = 'p_tie'`);
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/old.jpg' WHERE id = 'p_plain'`);
    await c.query(`ALTER TABLE posts ENABLE TRIGGER image_ref_sync`);
    const r2 = await cli(['up'], { DATABASE_URL: url });
    expect(r2.out).toMatch(/posts is not backfilled: 1 rows .*\(posts: p_plain \(key disagrees with image_id\)\)/);

    // Repaired, it goes through.
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/one.jpg' WHERE id = 'p_plain'`);
    await c.end();
    expect((await cli(['up'], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(names);
  });
});
