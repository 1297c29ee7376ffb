// Issue 12 case 2, the concurrent form: a storage delete racing an app write to a row that shows
// the deleted file. The contracts' storage triggers (08, 09) archive the key of every row whose
// file is deleted, so a down gives the old column the key the old app kept. A row the app
// changed in a transaction still open when the delete began must not be archived from the row's
// older version: the down would bring back a value the app had replaced or removed.
// Each `it` has a database of its own.
import { describe, it, expect } from 'vitest';
import { casesDb, connect, waitsForLock, withDb } from './db.ts';
import { migrate } from '../../lib/migrate.ts';
import { countThrough, stepStatements } from '../../lib/plan.ts';
import { packVars } from '../../lib/settings.ts';
import { sqlText } from '../../lib/sql.ts';

/** Runs `write` in an open transaction, starts `del` on another connection, waits until it
 *  waits for a lock, commits the write, then lets the delete finish. */
async function writeDuringDelete(url: string, write: string, del: string): Promise<void> {
  const app = await connect(url);
  const deleter = await connect(url);
  try {
    await app.query('BEGIN');
    await app.query(write);
    const pid = (await deleter.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const deleting = deleter.query(del);
    await waitsForLock(app, pid);
    await app.query('COMMIT');
    await deleting;
  } finally {
    await app.end();
    await deleter.end();
  }
}

describe('a storage delete racing an app write to the same row, after the contract', () => {
  it('posts: an image the app removed while the file was being deleted stays removed through the down', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await writeDuringDelete(url, `UPDATE posts SET image_id = NULL WHERE id = 'p_plain'`, `DELETE FROM storage WHERE id = 's_a1'`);
    await migrate(url, { direction: 'down' });
    await withDb(url, async (c) => {
      const rows = await c.query(`SELECT id, image_key FROM posts WHERE id IN ('p_plain', 'p_shared1') ORDER BY id`);
      // p_shared1 kept the deleted file's key (the old app keeps keys); p_plain was cleared first.
      expect(rows.rows).toEqual([
        { id: 'p_plain', image_key: null },
        { id: 'p_shared1', image_key: 'org/org_a/posts/one.jpg' },
      ]);
    });
  });

  it('user: an avatar the app removed while its file was being deleted stays removed through the down', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up' });
    await writeDuringDelete(url, `UPDATE "user" SET image_id = NULL WHERE id = 'u_avatar'`, `DELETE FROM storage WHERE id = 's_avatar'`);
    await migrate(url, { direction: 'down' });
    await withDb(url, async (c) => {
      const row = (await c.query(`SELECT image FROM "user" WHERE id = 'u_avatar'`)).rows[0];
      expect(row).toEqual({ image: null });
    });
  });
});

describe("the posts contract's archive pass and storage deletes", () => {
  it('a storage delete does not wait for an archive batch: the batch locks only the rows it may copy', async () => {
    const url = await casesDb();
    await migrate(url, { direction: 'up', count: countThrough('07_validate-foreign-keys') });
    const pass = await connect(url);
    const deleter = await connect(url);
    try {
      await pass.query(stepStatements('08_contract-posts', 'deploy', packVars())[0]);
      await pass.query(sqlText('archive.sql'));
      // One archive batch over every page, left open: what the app meets while a batch runs.
      await pass.query('BEGIN');
      await pass.query(`CALL image_ref_archive_posts('(0,0)', '(1000,0)', 0, 0, 0, NULL)`);
      await deleter.query(`SET lock_timeout = '200ms'`);
      // s_a1 is the file of p_plain and p_shared1, on the batch's pages.
      await deleter.query(`DELETE FROM storage WHERE id = 's_a1'`);
      await pass.query('COMMIT');
      const archived = await pass.query(`SELECT post_id, image_key FROM posts_image_key_archive WHERE post_id IN ('p_missing', 'p_plain', 'p_shared1') ORDER BY post_id`);
      expect(archived.rows).toEqual([
        { post_id: 'p_missing', image_key: 'org/org_a/posts/ghost.jpg' },
        { post_id: 'p_plain', image_key: 'org/org_a/posts/one.jpg' },
        { post_id: 'p_shared1', image_key: 'org/org_a/posts/one.jpg' },
      ]);
    } finally {
      await pass.end();
      await deleter.end();
    }
  });
});
