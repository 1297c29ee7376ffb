// Issue 13, item 2: the backfill's own writes skip the per-row trigger work that is redundant for
// them, and keep every guarantee. The sync triggers' WHEN leaves the pack's batches out (the
// function is not even called); the same-organization trigger leaves the backfill's writes out,
// for the posts owner's role only, because each batch checks the organization of the files it
// writes itself (sql/backfill.sql): a file moved to another organization during a batch is never
// shown by a post of the old one, whichever of the two goes first. Each `it` has a database of its own.
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { casesDb, connect, waitsForLock, withDb } from './db.ts';
import { migrate } from '../../lib/migrate.ts';
import { firstOf } from '../../lib/plan.ts';
import { sqlText } from '../../lib/sql.ts';

/** A cases database migrated up to the backfill (05 done), with the batch procedures created. */
async function atBackfill(): Promise<string> {
  const url = await casesDb();
  await migrate(url, { direction: 'up', count: firstOf('backfill') });
  await withDb(url, (c) => c.query(sqlText('backfill.sql')));
  return url;
}

/** One backfill batch over the whole table, as sql/batches.sql runs it (image_ref.writer set), in c's open transaction. */
const BATCH = `SELECT set_config('image_ref.writer', 'backfill', true);
               CALL image_ref_backfill_%s('(0,0)', '(100000,0)', 0, 0, 0, NULL)`;

/** Calls of the pack's trigger functions in c's current transaction (track_functions = pl). */
async function calls(c: pg.Client): Promise<Record<string, number>> {
  const { rows } = await c.query(`SELECT funcname, calls::int FROM pg_stat_xact_user_functions
                                   WHERE funcname IN ('image_ref_sync_posts', 'image_ref_sync_user', 'image_ref_post_image_organization')`);
  return Object.fromEntries(rows.map((r) => [r.funcname, r.calls]));
}

const pid = async (c: pg.Client): Promise<number> => (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;

/** The posts mapping rule, made to sleep `seconds` once, on the first call in `sleeper`'s session (created through `c`). */
async function sleepyResolve(c: pg.Client, sleeper: pg.Client, seconds: number): Promise<void> {
  await c.query(`CREATE OR REPLACE FUNCTION image_ref_post_storage_id(p_organization_id text, p_image_key text) RETURNS text
                   LANGUAGE plpgsql STABLE AS $f$
                 BEGIN
                   IF current_setting('test.sleep', true) = 'on' THEN
                     PERFORM set_config('test.sleep', 'off', false);
                     PERFORM pg_sleep(${seconds});
                   END IF;
                   RETURN (SELECT s.id FROM storage s WHERE s.file_key = p_image_key AND s.organization_id = p_organization_id
                            ORDER BY s.created_at, s.id LIMIT 1);
                 END $f$`);
  await sleeper.query(`SET test.sleep = 'on'`);
}

describe("the backfill's own writes: no per-row trigger calls", () => {
  it('a backfill batch calls neither the posts sync function nor the organization check, and writes what the rule gives; an app write still calls both', async () => {
    const url = await atBackfill();
    await withDb(url, async (c) => {
      await c.query(`SET track_functions = 'pl'`);
      await c.query('BEGIN');
      await c.query(BATCH.replace('%s', 'posts'));
      const written = (await c.query(`SELECT count(*)::int AS n FROM posts WHERE image_id IS NOT NULL`)).rows[0].n;
      expect(written).toBeGreaterThan(5);
      expect(await calls(c)).toEqual({});
      await c.query('COMMIT');
      const wrong = await c.query(`SELECT id FROM posts WHERE image_id IS DISTINCT FROM image_ref_post_storage_id(organization_id, image_key)`);
      expect(wrong.rows).toEqual([]);
      // The same kind of write by the app (no image_ref.writer) goes through both.
      await c.query('BEGIN');
      await c.query(`UPDATE posts SET image_id = 's_orphan' WHERE id = 'p_plain'`);
      expect(await calls(c)).toEqual({ image_ref_sync_posts: 1, image_ref_post_image_organization: 1 });
      await c.query('ROLLBACK');
    });
  });

  it('a backfill batch of "user" does not call the user sync function', async () => {
    const url = await atBackfill();
    await withDb(url, async (c) => {
      await c.query(`SET track_functions = 'pl'`);
      await c.query('BEGIN');
      await c.query(BATCH.replace('%s', 'user'));
      expect((await c.query(`SELECT count(*)::int AS n FROM "user" WHERE image_id IS NOT NULL`)).rows[0].n).toBeGreaterThan(1);
      expect(await calls(c)).toEqual({});
      await c.query('COMMIT');
    });
  });
});

describe("the backfill's own writes: the organization check still holds", () => {
  it('a role that is not the owner of posts gets the check even when it claims to be the backfill', async () => {
    const url = await atBackfill();
    const role = `app_bf_${Date.now()}`;
    await withDb(url, async (c) => {
      await c.query(`CREATE ROLE ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
      try {
        await c.query(`SET ROLE ${role}`);
        await c.query('BEGIN');
        await c.query(`SELECT set_config('image_ref.writer', 'backfill', true)`);
        const err = await c.query(`UPDATE posts SET image_id = 's_b_only' WHERE id = 'p_plain'`).then(() => null, (e) => e);
        await c.query('ROLLBACK');
        expect({ code: err?.code, constraint: err?.constraint }).toEqual({ code: '23503', constraint: 'image_ref_same_organization' });
      } finally {
        await c.query('RESET ROLE');
        await c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
      }
    });
  });

  it("renaming posts' owner role after 04 changes nothing: the backfill's writes still skip the check, and run", async () => {
    const url = await casesDb();
    const role = `own_bf_${Date.now()}`;
    await withDb(url, async (c) => {
      await c.query(`CREATE ROLE ${role}; ALTER TABLE posts OWNER TO ${role}`);
      try {
        await migrate(url, { direction: 'up', count: firstOf('backfill') });
        await c.query(sqlText('backfill.sql'));
        await c.query(`ALTER ROLE ${role} RENAME TO ${role}_renamed`);
        await c.query(`SET track_functions = 'pl'`);
        await c.query('BEGIN');
        await c.query(BATCH.replace('%s', 'posts'));
        expect(await calls(c)).toEqual({});
        await c.query('COMMIT');
        const wrong = await c.query(`SELECT id FROM posts WHERE image_id IS DISTINCT FROM image_ref_post_storage_id(organization_id, image_key)`);
        expect(wrong.rows).toEqual([]);
      } finally {
        await c.query('ROLLBACK').catch(() => {});
        await c.query(`REASSIGN OWNED BY ${role}_renamed TO CURRENT_USER`).catch(() => {});
        await c.query(`DROP OWNED BY ${role}_renamed; DROP ROLE ${role}_renamed`).catch(() => {});
      }
    });
  });

  it('a file moved to another organization while a batch waits for it: the batch refuses, writes nothing, and its retry resolves by the rule', async () => {
    const url = await atBackfill();
    const [bf, app] = [await connect(url), await connect(url)];
    const bfPid = await pid(bf);
    const showing = (await bf.query(`SELECT id FROM posts WHERE image_ref_post_storage_id(organization_id, image_key) = 's_a1' ORDER BY id`)).rows;
    expect(showing.length).toBeGreaterThan(1);
    try {
      await app.query('BEGIN');
      await app.query(`UPDATE storage SET organization_id = 'org_b' WHERE id = 's_a1'`);
      await bf.query(`SET lock_timeout = '20s'`);
      await bf.query('BEGIN');
      const batch = bf.query(BATCH.replace('%s', 'posts')).then(() => null, (e) => e);
      await waitsForLock(app, bfPid);
      await app.query('COMMIT');
      const err = await batch;
      await bf.query('ROLLBACK');
      expect({ code: err?.code, message: err?.message }).toEqual({
        code: '23503',
        message: `backfill posts: the files of ${showing.length} rows changed organization or were deleted during the batch`,
      });
      await bf.query(sqlText('batches.sql'));
      await bf.query(`CALL image_ref_batches('posts', 'backfill', 1000, 0, 0, 10000)`);
      const shown = await bf.query(`SELECT id, image_id FROM posts WHERE id = ANY ($1) ORDER BY id`, [showing.map((r) => r.id)]);
      expect(shown.rows).toEqual(showing.map((r) => ({ id: r.id, image_id: null })));
    } finally {
      await bf.end();
      await app.end();
    }
  });

  it("a batch that locked a file first: the file's move waits for the batch, then refuses", async () => {
    const url = await atBackfill();
    const [bf, app] = [await connect(url), await connect(url)];
    const appPid = await pid(app);
    try {
      await bf.query('BEGIN');
      await bf.query(BATCH.replace('%s', 'posts'));
      const move = app.query(`UPDATE storage SET organization_id = 'org_b' WHERE id = 's_a1'`).then(() => null, (e) => e);
      await waitsForLock(bf, appPid);
      await bf.query('COMMIT');
      expect((await move)?.message).toMatch(/^storage s_a1: posts p_\w+ of organization org_a shows it; it cannot move to organization org_b$/);
    } finally {
      await bf.end();
      await app.end();
    }
    await withDb(url, async (c) => {
      const cross = await c.query(`SELECT p.id FROM posts p JOIN storage s ON s.id = p.image_id WHERE s.organization_id IS DISTINCT FROM p.organization_id`);
      expect(cross.rows).toEqual([]);
    });
  });

  it('a row an app changes between a batch\'s snapshot and its lock: the batch writes nothing and is retried, and the retry repairs the row and keeps the app\'s write', async () => {
    const url = await atBackfill();
    const [bf, app] = [await connect(url), await connect(url)];
    const bfPid = await pid(bf);
    try {
      // x: a mappable post whose image_id names another file of its organization (a repair for the
      // backfill), written around the triggers; the update moves it to the end of the heap.
      const x = (await app.query(`SELECT p.id, image_ref_post_storage_id(p.organization_id, p.image_key) AS rule,
                                         (SELECT s.id FROM storage s WHERE s.organization_id = p.organization_id
                                             AND s.id <> image_ref_post_storage_id(p.organization_id, p.image_key) ORDER BY s.id LIMIT 1) AS wrong
                                    FROM posts p WHERE image_ref_post_storage_id(p.organization_id, p.image_key) IS NOT NULL
                                   ORDER BY p.id LIMIT 1`)).rows[0];
      expect(x.wrong).toBeTruthy();
      await app.query(`SET session_replication_role = replica`);
      await app.query(`UPDATE posts SET image_id = $1 WHERE id = $2`, [x.wrong, x.id]);
      await app.query(`RESET session_replication_role`);
      // The batch's first resolve sleeps once: x is read from the batch's snapshot after the app's commit.
      await sleepyResolve(app, bf, 1);
      await bf.query('BEGIN');
      const batch = bf.query(BATCH.replace('%s', 'posts')).then(() => null, (e) => e);
      for (let i = 0; i < 200; i++) {
        const { rows } = await app.query(`SELECT wait_event FROM pg_stat_activity WHERE pid = $1`, [bfPid]);
        if (rows[0]?.wait_event === 'PgSleep') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await app.query(`UPDATE posts SET content = content || ' (edited)' WHERE id = $1`, [x.id]);
      const err = await batch;
      await bf.query('ROLLBACK');
      expect({ code: err?.code, message: err?.message }).toEqual({
        code: '40001',
        message: `backfill posts: 1 rows changed between the batch's snapshot and its lock`,
      });
      await bf.query(sqlText('batches.sql'));
      await bf.query(`CALL image_ref_batches('posts', 'backfill', 1000, 0, 0, 10000)`);
      const row = (await bf.query(`SELECT image_id, content LIKE '% (edited)' AS edited FROM posts WHERE id = $1`, [x.id])).rows[0];
      expect(row).toEqual({ image_id: x.rule, edited: true });
    } finally {
      await bf.end();
      await app.end();
    }
  });

  it('a batch over 2.5x its target gets a NOTICE of its own: its pages, rows, duration and the time it ended', async () => {
    const url = await atBackfill();
    const bf = await connect(url);
    const notices: string[] = [];
    bf.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      // The first batch's first resolve sleeps 0.4 s.
      await sleepyResolve(bf, bf, 0.4);
      await bf.query(sqlText('batches.sql'));
      await bf.query(`CALL image_ref_batches('posts', 'backfill', 1000, 0, 100, 10000)`);
      const slow = notices.filter((n) => n.includes('slow batch'));
      expect(slow[0]).toMatch(/^backfill posts: slow batch: pages 0 to \d+, \d+ rows in \d+(\.\d)? ms \(target 100 ms, 1 tries\), ended at \d\d:\d\d:\d\d\.\d{3}$/);
      expect(Number(slow[0].match(/in ([\d.]+) ms/)![1])).toBeGreaterThanOrEqual(400);
    } finally {
      await bf.end();
    }
  });
});
