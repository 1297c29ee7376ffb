// Each invariant of harness/invariants.ts can fail: on the hand-made edge cases it holds at its
// phase, then the data is broken on purpose and the check must report the broken row.
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import type pg from 'pg';
import { baselineDb, connect } from './db.ts';
import { migrate, migrationNames } from '../../lib/migrate.ts';
import { INVARIANTS, checkInvariant, formatViolation, snapshot, type Phase } from '../invariants.ts';
import { SQL_DIR } from '../../lib/sql.ts';

const CASES = fs.readFileSync(path.join(import.meta.dirname, 'cases/mapping.sql'), 'utf8');

const upTo = (name: string) => migrationNames().indexOf(name) + 1;

/** Runs the pack from the baseline to where a phase's invariants must hold. */
async function reach(url: string, phase: Phase): Promise<void> {
  const up = (count?: number) => migrate(url, { direction: 'up', count });
  const down = () => migrate(url, { direction: 'down' });
  switch (phase) {
    case 'transition': return void (await up(upTo('06_backfill')));
    case 'validated': return void (await up(upTo('07_validate-foreign-keys')));
    case 'contracted': return void (await up());
    case 'rolledback': await up(); return void (await down());
    case 'reapplied': await up(); await down(); return void (await up());
  }
}

/** Baseline + cases/mapping.sql, snapshot taken, the pack run to `phase`, and the invariant holding. */
async function holding(name: string, phase: Phase): Promise<pg.Client> {
  expect(INVARIANTS.find((i) => i.name === name)?.phases).toContain(phase);
  const url = await baselineDb();
  const c = await connect(url);
  await c.query(CASES);
  await snapshot(c);
  await reach(url, phase);
  const r = await checkInvariant(c, name, phase);
  expect(r, formatViolation(r)).toMatchObject({ ok: true, violations: 0, examples: [] });
  return c;
}

/** The invariant now fails, and its report names every given row. */
async function expectBroken(c: pg.Client, name: string, phase: Phase, rows: string[]) {
  const r = await checkInvariant(c, name, phase);
  expect(r.ok).toBe(false);
  expect(r.violations).toBeGreaterThanOrEqual(rows.length);
  expect(r.examples.map((e) => e.row_id)).toEqual(expect.arrayContaining(rows));
  const message = formatViolation(r);
  for (const row of rows) expect(message).toContain(row);
  return { result: r, message };
}

describe('invariants fail when the data is broken: the catalogue and the mapping', () => {
  it('covers every invariant in the catalogue: one SQL file each, and one test here each', () => {
    // The catalogue is harness/invariants.ts plus sql/invariants/; the files that are not
    // invariants are those the harness reads by name (the snapshot, the checksums, a prepare step).
    const files = fs.readdirSync(path.join(SQL_DIR, 'invariants')).map((f) => f.replace(/\.sql$/, ''));
    const harness = ['invariants.ts', 'verify.ts'].map((f) => fs.readFileSync(path.join(import.meta.dirname, '..', f), 'utf8')).join('\n');
    const helper = (n: string) => INVARIANTS.some((i) => i.prepare === `invariants/${n}.sql`) || harness.includes(`invariants/${n}.sql`);
    const catalogue = INVARIANTS.map((i) => i.name).sort();
    expect(files.filter((n) => !helper(n)).sort()).toEqual(catalogue);
    const tested = [...fs.readFileSync(import.meta.filename, 'utf8').matchAll(/^ {2}it\('(\w+): /gm)].map((m) => m[1]);
    expect([...new Set(tested)].sort()).toEqual(catalogue);
  });

  it('mapping_follows_rule: a post pointed at a duplicate the rule does not pick (reapplied)', async () => {
    const c = await holding('mapping_follows_rule', 'reapplied');
    // Same organization and same file_key, so only the rule's choice (oldest) is broken.
    await c.query(`UPDATE posts SET image_id = 's_tie_b' WHERE id = 'p_tie'`);
    const { message } = await expectBroken(c, 'mapping_follows_rule', 'reapplied', ['p_tie']);
    expect(message).toContain('should map to s_tie_a but image_id is s_tie_b');
    await c.end();
  });

  it('image_ids_resolve: a post showing another organization\'s file, a user pointing at no row (contracted)', async () => {
    const c = await holding('image_ids_resolve', 'contracted');
    // The foreign key and the same-organization trigger would refuse the writes: drop the key,
    // disable the trigger, write, and add the key back NOT VALID, which does not look at the rows
    // already there.
    await c.query(`ALTER TABLE posts DROP CONSTRAINT posts_image_id_fkey`);
    await c.query(`ALTER TABLE "user" DROP CONSTRAINT user_image_id_fkey`);
    await c.query(`ALTER TABLE posts DISABLE TRIGGER image_ref_same_organization_update`);
    await c.query(`UPDATE posts SET image_id = 's_b_only' WHERE id = 'p_plain'`);
    await c.query(`UPDATE "user" SET image_id = 's_gone' WHERE id = 'u_author'`);
    await c.query(`ALTER TABLE posts ADD CONSTRAINT posts_image_id_fkey FOREIGN KEY (image_id)
                     REFERENCES storage (id) ON DELETE SET NULL NOT VALID`);
    await c.query(`ALTER TABLE "user" ADD CONSTRAINT user_image_id_fkey FOREIGN KEY (image_id)
                     REFERENCES storage (id) ON DELETE SET NULL NOT VALID`);
    const { result } = await expectBroken(c, 'image_ids_resolve', 'contracted', ['p_plain', 'u_author']);
    expect(result.violations).toBe(2);
    expect(result.examples.map((e) => e.detail)).toEqual([
      'image_id s_b_only belongs to organization org_b, the post to org_a',
      'image_id s_gone has no storage row',
    ]);
    await c.end();
  });

  it('columns_agree: an old-app write that bypasses the sync trigger (transition)', async () => {
    const c = await holding('columns_agree', 'transition');
    await c.query(`ALTER TABLE posts DISABLE TRIGGER image_ref_sync`);
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/old.jpg' WHERE id = 'p_plain'`);
    await c.query(`ALTER TABLE "user" DISABLE TRIGGER image_ref_sync`);
    await c.query(`UPDATE "user" SET image = 'https://example.com/new.png' WHERE id = 'u_avatar'`);
    const { message } = await expectBroken(c, 'columns_agree', 'transition', ['p_plain', 'u_avatar']);
    expect(message).toContain(`image_key 'org/org_a/posts/old.jpg', image_id s_a1 (file_key 'org/org_a/posts/one.jpg')`);
    await c.end();
  });
});

describe('invariants fail when the data is broken: what the pack keeps and restores', () => {
  it('unmapped_preserved: an archived value changed, another deleted (contracted)', async () => {
    const c = await holding('unmapped_preserved', 'contracted');
    await c.query(`UPDATE posts_image_key_archive SET image_key = 'org/org_a/posts/ghost.JPG' WHERE post_id = 'p_missing'`);
    // u_missing's key was moved out of "user".image into the archive (09 keeps the column).
    await c.query(`DELETE FROM user_image_archive WHERE user_id = 'u_missing'`);
    const { message } = await expectBroken(c, 'unmapped_preserved', 'contracted', ['p_missing', 'u_missing']);
    expect(message).toContain(`unmapped image_key 'org/org_a/posts/ghost.jpg' is now 'org/org_a/posts/ghost.JPG'`);
    expect(message).toContain(`unmapped image 'users/ghost/avatar/none.png' is now NULL`);
    await c.end();
  });

  it('row_counts_unchanged: a row gained and a row lost (validated)', async () => {
    const c = await holding('row_counts_unchanged', 'validated');
    await c.query(`INSERT INTO organization (id, name, slug, created_at) VALUES ('org_new', 'New', 'new', now())`);
    await c.query(`DELETE FROM post_likes WHERE post_id = 'p_tie'`);
    // This check is per table: its row_id is NULL and the table names the broken rows.
    const r = await checkInvariant(c, 'row_counts_unchanged', 'validated');
    expect(r.ok).toBe(false);
    expect(r.examples).toEqual([
      { tbl: 'organization', row_id: null, detail: 'had 2 rows, now 3' },
      { tbl: 'post_likes', row_id: null, detail: 'had 3 rows, now 2' },
    ]);
    expect(formatViolation(r)).toContain('organization: had 2 rows, now 3; post_likes: had 3 rows, now 2');
    await c.end();
  });

  it('constraints_valid: a foreign key re-added NOT VALID, an INVALID index (validated)', async () => {
    const c = await holding('constraints_valid', 'validated');
    await c.query(`ALTER TABLE "user" DROP CONSTRAINT user_image_id_fkey`);
    await c.query(`ALTER TABLE "user" ADD CONSTRAINT user_image_id_fkey FOREIGN KEY (image_id) REFERENCES storage (id) ON DELETE SET NULL NOT VALID`);
    // A unique index over duplicate keys fails its concurrent build and stays behind, INVALID.
    await expect(c.query(`CREATE UNIQUE INDEX CONCURRENTLY storage_file_key_broken_idx ON storage (file_key)`)).rejects.toMatchObject({ code: '23505' });
    const { result } = await expectBroken(c, 'constraints_valid', 'validated', ['user_image_id_fkey', 'storage_file_key_broken_idx']);
    expect(result.examples).toEqual([
      { tbl: 'pg_constraint', row_id: 'user_image_id_fkey', detail: 'not validated' },
      { tbl: 'pg_index', row_id: 'storage_file_key_broken_idx', detail: 'INVALID index' },
    ]);
    await c.end();
  });

  it('roundtrip_identical: an old value altered after the full down (rolledback)', async () => {
    const c = await holding('roundtrip_identical', 'rolledback');
    await c.query(`UPDATE posts SET image_key = 'org/org_a/posts/one.jpg' WHERE id = 'p_lead'`);
    await c.query(`UPDATE "user" SET image = NULL WHERE id = 'u_blank'`);
    const { message } = await expectBroken(c, 'roundtrip_identical', 'rolledback', ['p_lead', 'u_blank']);
    expect(message).toContain(`was ' org/org_a/posts/one.jpg', now 'org/org_a/posts/one.jpg'`);
    expect(message).toContain(`was '', now NULL`);
    await c.end();
  });

  it('schema_restored: a function and an index left behind, a column missing (rolledback)', async () => {
    const c = await holding('schema_restored', 'rolledback');
    await c.query(`CREATE FUNCTION image_ref_leftover() RETURNS integer LANGUAGE sql AS 'SELECT 1'`);
    await c.query(`CREATE INDEX posts_image_key_leftover_idx ON posts (image_key)`);
    await c.query(`ALTER TABLE organization DROP COLUMN metadata`);
    const { result } = await expectBroken(c, 'schema_restored', 'rolledback', [
      'function image_ref_leftover()', 'index posts_image_key_leftover_idx', 'column organization.metadata',
    ]);
    expect(result.violations).toBe(3);
    expect(result.examples.find((e) => e.row_id === 'column organization.metadata')?.detail).toBe('missing after the down: text');
    await c.end();
  });

  it('no_broken_links: a mapped row whose storage file_key changed under it (contracted)', async () => {
    const c = await holding('no_broken_links', 'contracted');
    await c.query(`UPDATE storage SET file_key = 'org/org_a/posts/tie-renamed.jpg' WHERE id = 's_tie_a'`);
    await c.query(`UPDATE storage SET file_key = 'USERS/U_AVATAR/AVATAR/1.PNG' WHERE id = 's_avatar'`);
    const { result, message } = await expectBroken(c, 'no_broken_links', 'contracted', ['p_tie', 'u_avatar']);
    expect(result.violations).toBe(2);
    expect(message).toContain(`shows 'org/org_a/posts/tie-renamed.jpg', had 'org/org_a/posts/tie.jpg'`);
    await c.end();
  });
});
