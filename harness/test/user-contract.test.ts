// Issue 9 ("The real app stack"), the user side: the user contract (09) keeps "user".image for
// better-auth (provider URLs stay; object keys move out, archived), and dropping the column is
// an opt-in step (migrations/opt-in) that a plain `up` never runs. Every rollback gives the old
// column what the old app would hold after the writes made since the contract (issue 12 case 2).
// Each `it` has a database of its own.
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { casesDb, connect, withDb } from './db.ts';
import { cli } from './cli.ts';
import { migrate } from '../../lib/migrate.ts';

const userRow = async (c: pg.Client, id: string) =>
  (await c.query('SELECT image, image_id FROM "user" WHERE id = $1', [id])).rows[0];

const hasColumn = (c: pg.Client, table: string, column: string) =>
  c
    .query('SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2', [table, column])
    .then((r) => r.rowCount === 1);

const OPT_IN = ['-m', 'migrations/opt-in'];

describe('the user contract keeps "user".image for better-auth: a plain up', () => {
  it('a plain up keeps provider URLs in image, moves every key out of it, and detaches the sync trigger', async () => {
    const url = await casesDb();
    const r = await cli(['up'], { DATABASE_URL: url });
    expect(r.code, r.out).toBe(0);
    await withDb(url, async (c) => {
      expect(await hasColumn(c, 'user', 'image')).toBe(true);
      expect(await userRow(c, 'u_gh')).toEqual({ image: 'https://avatars.githubusercontent.com/u/1?v=4', image_id: null });
      expect(await userRow(c, 'u_url')).toEqual({ image: 'https://lh3.googleusercontent.com/a/ACg8ocK', image_id: null });
      // A mapped key: only image_id now. An unmapped key: archived, out of the column.
      expect(await userRow(c, 'u_avatar')).toEqual({ image: null, image_id: 's_avatar' });
      expect(await userRow(c, 'u_missing')).toEqual({ image: null, image_id: null });
      const archived = await c.query('SELECT user_id, image FROM user_image_archive ORDER BY user_id');
      expect(archived.rows).toEqual([
        { user_id: 'u_blank', image: '' },
        { user_id: 'u_case', image: 'USERS/U_AVATAR/AVATAR/1.PNG' },
        { user_id: 'u_missing', image: 'users/ghost/avatar/none.png' },
        { user_id: 'u_space', image: 'users/u_avatar/avatar/1.png ' },
      ]);
      const triggers = await c.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = '"user"'::regclass AND NOT tgisinternal AND tgname = 'image_ref_sync'`);
      expect(triggers.rowCount).toBe(0);
      // The app writes both columns on its own now: no "disagree" error.
      await c.query(`UPDATE "user" SET image = 'https://avatars.githubusercontent.com/u/9', image_id = 's_avatar' WHERE id = 'u_author'`);
    });
  });
});

describe('the user contract keeps "user".image for better-auth: the rollback', () => {
  it('a full down after app writes gives image what the old app would hold', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      // u_gh kept its URL; the new app gives it an upload: the old app would show the upload.
      await c.query(`UPDATE "user" SET image_id = 's_b_only' WHERE id = 'u_gh'`);
      // u_avatar's key was cleared; better-auth writes a provider URL: the URL wins, image_id follows it.
      await c.query(`UPDATE "user" SET image = 'https://avatars.githubusercontent.com/u/7' WHERE id = 'u_avatar'`);
      // u_dup's key was cleared; the app says "no image" through image.
      await c.query(`UPDATE "user" SET image = NULL WHERE id = 'u_dup'`);
    });
    await migrate(url, { direction: 'down', count: 1 });
    await withDb(url, async (c) => {
      expect(await userRow(c, 'u_gh')).toEqual({ image: 'org/org_b/posts/only-b.jpg', image_id: 's_b_only' });
      expect(await userRow(c, 'u_avatar')).toEqual({ image: 'https://avatars.githubusercontent.com/u/7', image_id: null });
      expect(await userRow(c, 'u_dup')).toEqual({ image: null, image_id: null });
      expect(await userRow(c, 'u_missing')).toEqual({ image: 'users/ghost/avatar/none.png', image_id: null });
      expect(await userRow(c, 'u_orgfile')).toEqual({ image: 'org/org_b/posts/only-b.jpg', image_id: 's_b_only' });
      expect(await userRow(c, 'u_url')).toEqual({ image: 'https://lh3.googleusercontent.com/a/ACg8ocK', image_id: null });
      expect(await c.query(`SELECT to_regclass('user_image_archive') AS t`).then((r) => r.rows[0].t)).toBeNull();
    });
  });

  it("a storage delete after the contract: the down gives back the deleted file's key", async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      await c.query(`DELETE FROM storage WHERE id = 's_avatar'`);
      expect(await userRow(c, 'u_avatar')).toEqual({ image: null, image_id: null });
    });
    await migrate(url, { direction: 'down', count: 1 });
    await withDb(url, async (c) => {
      expect(await userRow(c, 'u_avatar')).toEqual({ image: 'users/u_avatar/avatar/1.png', image_id: null });
    });
  });

  it("during the down, an old-app write to a row not yet restored applies on top of its restored value", async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => {
      await c.query(`UPDATE "user" SET image_id = 's_b_only' WHERE id = 'u_gh'`);
    });
    // The down's first part only (the trigger attached again, nothing restored yet): run it as
    // its own migration would, by hand, through the plan.
    const { stepStatements } = await import('../../lib/plan.ts');
    const { packVars } = await import('../../lib/settings.ts');
    await withDb(url, async (c) => {
      await c.query(stepStatements('09_contract-user', 'revert', packVars())[0]);
      // The old app renames u_gh (naming neither column) and clears u_missing's key.
      await c.query(`UPDATE "user" SET name = 'renamed' WHERE id = 'u_gh'`);
      await c.query(`UPDATE "user" SET image = NULL WHERE id = 'u_missing'`);
      expect(await userRow(c, 'u_gh')).toEqual({ image: 'org/org_b/posts/only-b.jpg', image_id: 's_b_only' });
    });
    await migrate(url, { direction: 'down', count: 1 });
    await withDb(url, async (c) => {
      expect(await userRow(c, 'u_missing')).toEqual({ image: null, image_id: null });
      expect(await userRow(c, 'u_gh')).toEqual({ image: 'org/org_b/posts/only-b.jpg', image_id: 's_b_only' });
    });
  });
});

describe('the user contract: a write between its detach and its clear pass', () => {
  it("an image the app removes after the trigger is detached stays removed through a rerun and the down", async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', target: '08_contract-posts' });
    const { stepNamed, partStatements } = await import('../../lib/plan.ts');
    const { packVars } = await import('../../lib/settings.ts');
    const step = stepNamed('09_contract-user');
    await withDb(url, async (c) => {
      // 09 as far as its detach (the archive, the archive pass, the trigger detached), then stopped.
      for (const part of step.deploy.slice(0, 3)) {
        for (const stmt of partStatements(step.name, part, packVars())) await c.query(stmt);
      }
      // u_avatar still holds its (mapped) key; the new app removes the avatar.
      await c.query(`UPDATE "user" SET image_id = NULL WHERE id = 'u_avatar'`);
    });
    // The rerun resumes: its clear pass meets u_avatar's stale key.
    await migrate(url, { direction: 'up' });
    await withDb(url, async (c) => expect(await userRow(c, 'u_avatar')).toEqual({ image: null, image_id: null }));
    await migrate(url, { direction: 'down', count: 1 });
    await withDb(url, async (c) => expect(await userRow(c, 'u_avatar')).toEqual({ image: null, image_id: null }));
  });
});

describe('dropping "user".image is opt-in', () => {
  it('refuses unless asked for by name, and changes nothing', async () => {
    const url = await casesDb();
    expect((await cli(['up'], { DATABASE_URL: url })).code).toBe(0);
    const r = await cli(['up', ...OPT_IN], { DATABASE_URL: url });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('dropping "user".image refused, nothing changed');
    await withDb(url, async (c) => expect(await hasColumn(c, 'user', 'image')).toBe(true));
  });

  it('asked for, it drops the column; its down puts the URLs back; 09 cannot be undone before it', async () => {
    const url = await casesDb();
    expect((await cli(['up'], { DATABASE_URL: url })).code).toBe(0);
    const env = { DATABASE_URL: url, PGOPTIONS: '-c image_ref.drop_user_image=yes' };
    const up = await cli(['up', ...OPT_IN], env);
    expect(up.code, up.out).toBe(0);
    await withDb(url, async (c) => expect(await hasColumn(c, 'user', 'image')).toBe(false));
    // From the main folder, the pack's own down refuses to go past the opt-in step.
    const down09 = await cli(['down'], { DATABASE_URL: url });
    expect(down09.code).not.toBe(0);
    await withDb(url, async (c) => expect(await hasColumn(c, 'user', 'image')).toBe(false));
    const down = await cli(['down', ...OPT_IN], { DATABASE_URL: url });
    expect(down.code, down.out).toBe(0);
    await withDb(url, async (c) => {
      expect(await userRow(c, 'u_gh')).toEqual({ image: 'https://avatars.githubusercontent.com/u/1?v=4', image_id: null });
      expect(await userRow(c, 'u_avatar')).toEqual({ image: null, image_id: 's_avatar' });
    });
    const rest = await cli(['down', '9'], { DATABASE_URL: url });
    expect(rest.code, rest.out).toBe(0);
    await withDb(url, async (c) => {
      const image = async (id: string) => (await c.query('SELECT image FROM "user" WHERE id = $1', [id])).rows[0].image;
      expect(await image('u_avatar')).toBe('users/u_avatar/avatar/1.png');
      expect(await image('u_missing')).toBe('users/ghost/avatar/none.png');
      expect(await image('u_gh')).toBe('https://avatars.githubusercontent.com/u/1?v=4');
    });
  });
});
