// Migration 03_expand-image-id-indexes (named 03_index-image-id before 2026-11): the image_id
// indexes, built concurrently. Its states, the repair of an INVALID leftover, and databases that
// applied it under its old name. Each `it` on a database of its own.
import { describe, it, expect } from 'vitest';
import { connect, applied, withDb } from '../db.ts';
import { cli, migrateCli } from '../cli.ts';
import { names } from '../../../lib/plan.ts';
import { sqlText } from '../../../lib/sql.ts';
import { migrate } from '../../../lib/migrate.ts';
import { before, down, up, verifyRows, walkStates } from './walk.ts';

const NAME = '03_expand-image-id-indexes';
const OLD_NAME = '03_index-image-id';
const fresh = before(NAME);

/** A database that applied 01..04 when 03 had its old name. */
async function appliedUnderOldName(): Promise<string> {
  const url = await fresh();
  await up(url);
  await up(url);
  await withDb(url, (c) => c.query('UPDATE pgmigrations SET name = $1 WHERE name = $2', [OLD_NAME, NAME]));
  return url;
}

const indexValid = (url: string, index: string) =>
  withDb(url, async (c) => (await c.query('SELECT i.indisvalid AS v FROM pg_index i WHERE i.indexrelid = to_regclass($1)', [index])).rows[0]?.v);

describe(NAME, () => {
  walkStates(NAME, fresh);

  // A concurrent build that fails leaves its index behind, INVALID, under the name 03 uses (the
  // unique builds below fail: org_a has several posts and several files).
  it.each([
    { index: 'posts_image_id_idx', table: 'posts' },
    { index: 'storage_id_hash_idx', table: 'storage' },
  ])('an INVALID $index left by an interrupted build is dropped and rebuilt by the up', async ({ index, table }) => {
    const url = await fresh();
    await withDb(url, (c) => c.query(`CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${table} (organization_id)`).catch(() => {}));
    expect(await indexValid(url, index)).toBe(false);
    await up(url);
    expect(await indexValid(url, index)).toBe(true);
    expect(Object.values(await verifyRows(url, NAME)).every(Boolean)).toBe(true);
  });

  it("the feed's storage_id_hash_idx: a hash index of storage (id) after the up, gone after the down", async () => {
    const url = await fresh();
    const def = () => withDb(url, async (c) => (await c.query(`SELECT pg_get_indexdef(to_regclass('storage_id_hash_idx')) AS d`)).rows[0].d);
    expect(await def()).toBeNull();
    await up(url);
    expect(await def()).toBe('CREATE INDEX storage_id_hash_idx ON public.storage USING hash (id)');
    expect(await indexValid(url, 'storage_id_hash_idx')).toBe(true);
    await down(url);
    expect(await def()).toBeNull();
  });

  it('an INVALID storage_id_hash_idx of a build killed before 03 was recorded: the full down drops it (01)', async () => {
    const url = await fresh();
    await withDb(url, (c) => c.query('CREATE UNIQUE INDEX CONCURRENTLY storage_id_hash_idx ON storage (organization_id)').catch(() => {}));
    expect(await indexValid(url, 'storage_id_hash_idx')).toBe(false);
    await migrate(url, { direction: 'down' });
    expect(await indexValid(url, 'storage_id_hash_idx')).toBeUndefined();
  });

  it('a valid index of that name is kept: the repair drops only what is INVALID', async () => {
    const url = await fresh();
    await up(url);
    const oid = () => withDb(url, async (c) => (await c.query(`SELECT to_regclass('posts_image_id_idx')::oid AS o`)).rows[0].o);
    const first = await oid();
    await withDb(url, (c) => c.query(`DELETE FROM pgmigrations WHERE name = $1`, [NAME])); // as if the run died before recording it
    await up(url);
    expect(await oid()).toBe(first);
  });

  it('make migrate on a database that applied it as 03_index-image-id: renamed, then the rest runs', async () => {
    const url = await appliedUnderOldName();
    const r = await migrateCli(['up'], { DATABASE_URL: url });
    expect(r.code).toBe(0);
    expect(await applied(url)).toEqual(names());
  });

  it('make rollback on such a database: the renamed step is undone like the others', async () => {
    const url = await appliedUnderOldName();
    expect((await migrateCli(['down', '2'], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(names().slice(0, 2));
    expect(await down(url)).toEqual([names()[1]]);
  });

  it('the stock CLI on such a database: refused by its order check, and runs after sql/lib/renamed_migrations.sql', async () => {
    const url = await appliedUnderOldName();
    const refused = await cli(['up'], { DATABASE_URL: url });
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/Not run migration 03_expand-image-id-indexes is preceding already run migration|03_index-image-id/);
    // What the README tells a DBA to run once (psql -c 'SET search_path TO public' -f ...).
    await withDb(url, async (c) => {
      await c.query('SET search_path TO public');
      await c.query(sqlText('lib/renamed_migrations.sql'));
      await c.query(sqlText('lib/renamed_migrations.sql')); // idempotent
    });
    expect((await cli(['up'], { DATABASE_URL: url })).code).toBe(0);
    expect(await applied(url)).toEqual(names());
  });
});
