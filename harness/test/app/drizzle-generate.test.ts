// Adopting the pack in a Drizzle app (issue 9, item 3; README "Adopting the pack in a Drizzle
// app"): the team's database was made by `drizzle-kit migrate` from their journal; the pack
// changes it; the team takes a snapshot of each state the pack reaches with `drizzle-kit
// generate`, empties the SQL that generate wrote (the pack has already done it), and records it
// with `drizzle-kit migrate`. Their next `drizzle-kit generate` then reports no change.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../lib/sql.ts';
import { cli } from '../cli.ts';
import { CASES, connect, emptyDb } from '../db.ts';
import { drizzleKit, PACK_MIGRATIONS, schemaOf, type State } from './drizzle-kit.ts';

// The team's own drizzle-kit project: a config of theirs, their journal in ./drizzle.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-drizzle-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(
  path.join(dir, 'drizzle.config.ts'),
  `export default { dialect: 'postgresql', schema: process.env.DRIZZLE_SCHEMA, out: './drizzle',
     dbCredentials: { url: process.env.DATABASE_URL } };\n`,
);

const kit = (args: string[], state: State, url = '') =>
  drizzleKit([...args, '--config', 'drizzle.config.ts'], { DRIZZLE_SCHEMA: path.join(ROOT, schemaOf(state)), DATABASE_URL: url }, dir);
const generate = (state: State, name?: string) => kit(['generate', ...(name ? ['--name', name] : [])], state);
const migrate = (url: string) => kit(['migrate'], 'after', url);
const NO_CHANGES = /No schema changes, nothing to migrate/;

/** The SQL file generate just wrote for `name`. */
const written = (name: string) => {
  const f = fs.readdirSync(path.join(dir, 'drizzle')).find((n) => n.endsWith(`_${name}.sql`));
  if (!f) throw new Error(`drizzle-kit generate wrote no ${name} migration`);
  return path.join(dir, 'drizzle', f);
};

/** The recipe's step: keep the snapshot and the journal entry, run nothing (the pack did it). */
const emptyOut = (file: string) => fs.writeFileSync(file, '-- Applied by the image_id pack (node-pg-migrate); nothing to run.\n');

async function pack(url: string, ...args: string[]) {
  const r = await cli([...args, ...PACK_MIGRATIONS], { DATABASE_URL: url });
  expect(r.code, r.out).toBe(0);
}

async function columns(url: string): Promise<string[]> {
  const c = await connect(url);
  try {
    const { rows } = await c.query(`SELECT table_name || '.' || column_name AS col FROM information_schema.columns
                                     WHERE table_schema = 'public' AND column_name IN ('image_key', 'image', 'image_id') ORDER BY 1`);
    return rows.map((r) => r.col);
  } finally {
    await c.end();
  }
}

describe('adopting the pack in a Drizzle app: journal and snapshots', () => {
  let url = '';

  it("the team's database comes from their journal (drizzle-kit generate, then migrate), and generate then reports no change", async () => {
    url = await emptyDb();
    expect((await generate('before', 'app')).out).toMatch(/0000_app\.sql/);
    expect((await migrate(url)).code).toBe(0);
    const c = await connect(url);
    await c.query(CASES).finally(() => c.end());
    expect((await generate('before')).out).toMatch(NO_CHANGES);
  });

  it("replaying the pack's DDL with drizzle-kit migrate fails (exit 1) and changes nothing", async () => {
    await pack(url, 'up', '7');
    await generate('transition', 'image-id-transition');
    const file = written('image-id-transition');
    expect(fs.readFileSync(file, 'utf8')).toMatch(/ALTER TABLE "posts" ADD COLUMN "image_id" text/);
    const replay = await migrate(url);
    expect(replay.code).toBe(1);
    expect(replay.out).not.toMatch(/already exists/); // drizzle-kit does not say why (the server log does)
    expect(await columns(url)).toEqual(['posts.image_id', 'posts.image_key', 'user.image', 'user.image_id']);
  });

  it('the transition: snapshot taken, its SQL emptied and recorded by migrate; generate reports no change', async () => {
    emptyOut(written('image-id-transition'));
    expect((await migrate(url)).code).toBe(0);
    expect((await generate('transition')).out).toMatch(NO_CHANGES);
  });

  it('after the contract (08, 09): the same; generate reports no change', async () => {
    await pack(url, 'up');
    const out = (await generate('after', 'image-id-contract')).out;
    expect(out).toMatch(/image-id-contract\.sql/);
    emptyOut(written('image-id-contract'));
    expect((await migrate(url)).code).toBe(0);
    expect((await generate('after')).out).toMatch(NO_CHANGES);
  });
});
