// The mapping rule on hand-made edge cases, through the whole pack and back.
import { describe, it, expect, beforeAll } from 'vitest';
import { baselineDb, connect, CASES } from './db.ts';
import { migrate } from '../migrate.ts';


const expectations = `
  SELECT 'posts' AS tbl, id, image_id, substring(content FROM '^expect (\\S+):') AS expected FROM posts
  UNION ALL
  SELECT 'user', id, image_id, substring(name FROM '^expect (\\S+):') FROM "user"
  ORDER BY 1, 2`;

describe('mapping rule', () => {
  let url: string;
  let before: { posts: unknown[]; user: unknown[] };

  beforeAll(async () => {
    url = await baselineDb();
    const c = await connect(url);
    await c.query(CASES);
    before = {
      posts: (await c.query('SELECT id, image_key FROM posts ORDER BY id')).rows,
      user: (await c.query('SELECT id, image FROM "user" ORDER BY id')).rows,
    };
    await c.end();
  });

  it('maps every edge case to the row the rule picks after the backfill', async () => {
    await migrate(url, { direction: 'up', count: 6 }); // through the backfill
    const c = await connect(url);
    const { rows } = await c.query(expectations);
    await c.end();
    expect(rows.length).toBe(26);
    for (const r of rows) expect({ tbl: r.tbl, id: r.id, image_id: r.image_id ?? 'none' }).toEqual({ tbl: r.tbl, id: r.id, image_id: r.expected });
  });

  it('keeps the mapping through the contract, and archives exactly the unmapped values', async () => {
    await migrate(url, { direction: 'up' });
    const c = await connect(url);
    const { rows } = await c.query(expectations);
    for (const r of rows) expect(r.image_id ?? 'none').toBe(r.expected);
    const archived = await c.query(`SELECT post_id FROM posts_image_key_archive ORDER BY post_id`);
    expect(archived.rows.map((r) => r.post_id)).toEqual(
      ['p_blank', 'p_case', 'p_lead', 'p_missing', 'p_nfd', 'p_other', 'p_url'],
    );
    const users = await c.query(`SELECT user_id, image FROM user_image_archive ORDER BY user_id`);
    expect(users.rows.map((r) => r.user_id)).toEqual(['u_blank', 'u_case', 'u_gh', 'u_missing', 'u_space', 'u_url']);
    await c.end();
  });

  it('restores every old value byte for byte on a full down, and maps the same way again', async () => {
    await migrate(url, { direction: 'down' });
    const c = await connect(url);
    expect((await c.query('SELECT id, image_key FROM posts ORDER BY id')).rows).toEqual(before.posts);
    expect((await c.query('SELECT id, image FROM "user" ORDER BY id')).rows).toEqual(before.user);
    await c.end();
    await migrate(url, { direction: 'up' });
    const c2 = await connect(url);
    for (const r of (await c2.query(expectations)).rows) expect(r.image_id ?? 'none').toBe(r.expected);
    await c2.end();
  });
});
