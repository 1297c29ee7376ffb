// The mapping rule on hand-made edge cases, through the whole pack and back. Each `it` has a
// database of its own, cloned from one holding the cases (nothing applied).
import { describe, it, expect } from 'vitest';
import { connect, withDb } from './db.ts';
import { migrate } from '../../lib/migrate.ts';
import { before } from './migrations/walk.ts';
import { countThrough, names, stepsOf } from '../../lib/plan.ts';

const fresh = before(names()[0]);

const expectations = `
  SELECT 'posts' AS tbl, id, image_id, substring(content FROM '^expect (\\S+):') AS expected FROM posts
  UNION ALL
  SELECT 'user', id, image_id, substring(name FROM '^expect (\\S+):') FROM "user"
  ORDER BY 1, 2`;

const oldValues = (url: string) =>
  withDb(url, async (c) => ({
    posts: (await c.query('SELECT id, image_key FROM posts ORDER BY id')).rows,
    user: (await c.query('SELECT id, image FROM "user" ORDER BY id')).rows,
  }));

describe('mapping rule', () => {
  it('maps every edge case to the row the rule picks after the backfill', async () => {
    const url = await fresh();
    await migrate(url, { direction: 'up', count: countThrough(stepsOf('backfill')[0]) });
    const { rows } = await withDb(url, (c) => c.query(expectations));
    expect(rows.length).toBe(26);
    for (const r of rows) expect({ tbl: r.tbl, id: r.id, image_id: r.image_id ?? 'none' }).toEqual({ tbl: r.tbl, id: r.id, image_id: r.expected });
  });

  it('keeps the mapping through the contract, and archives exactly the unmapped values', async () => {
    const url = await fresh();
    await migrate(url, { direction: 'up' });
    const c = await connect(url);
    const { rows } = await c.query(expectations);
    for (const r of rows) expect(r.image_id ?? 'none').toBe(r.expected);
    const archived = await c.query(`SELECT post_id FROM posts_image_key_archive ORDER BY post_id`);
    expect(archived.rows.map((r) => r.post_id)).toEqual(
      ['p_blank', 'p_case', 'p_lead', 'p_missing', 'p_nfd', 'p_other', 'p_url'],
    );
    const users = await c.query(`SELECT user_id, image FROM user_image_archive ORDER BY user_id`);
    // Provider URLs stay in "user".image for better-auth (09 moves only object keys out).
    expect(users.rows.map((r) => r.user_id)).toEqual(['u_blank', 'u_case', 'u_missing', 'u_space']);
    const urls = await c.query(`SELECT id FROM "user" WHERE image LIKE 'https://%' ORDER BY id`);
    expect(urls.rows.map((r) => r.id)).toEqual(['u_gh', 'u_url']);
    await c.end();
  });

  it('restores every old value byte for byte on a full down, and maps the same way again', async () => {
    const url = await fresh();
    const original = await oldValues(url);
    await migrate(url, { direction: 'up' });
    await migrate(url, { direction: 'down' });
    expect(await oldValues(url)).toEqual(original);
    await migrate(url, { direction: 'up' });
    const c2 = await connect(url);
    for (const r of (await c2.query(expectations)).rows) expect(r.image_id ?? 'none').toBe(r.expected);
    await c2.end();
  });
});
