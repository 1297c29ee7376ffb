// No drift (issue 9, item 3): in every state the pack deploys, `drizzle-kit push --strict` with
// that state's schema (app/schema/states/) proposes no statement, on a database the stock
// node-pg-migrate CLI migrated. The pack's own tables stay out of drizzle-kit's way: the archives
// by tablesFilter (app/drizzle.config.ts), node-pg-migrate's table and its sequence by living in
// their own schema (--migrations-schema), since tablesFilter does not cover sequences.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../lib/sql.ts';
import { cli, CLI } from '../cli.ts';
import { casesDb, connect } from '../db.ts';
import { PACK_MIGRATIONS, pushOnMatchingSchema, pushProposes, type State } from './drizzle-kit.ts';

async function pack(url: string, ...args: string[]): Promise<void> {
  const r = await cli([...args, ...PACK_MIGRATIONS], { DATABASE_URL: url });
  expect(r.code, r.out).toBe(0);
}

/**
 * The opt-in drop of "user".image: migrations/opt-in/ (the pack's migrations and the drop), asked
 * for by name through PGOPTIONS; down undoes the drop alone.
 */
async function optIn(url: string, direction: 'up' | 'down'): Promise<void> {
  const args = [direction, '-m', 'migrations/opt-in', ...PACK_MIGRATIONS];
  const env = { ...process.env, DATABASE_URL: url, PGOPTIONS: '-c image_ref.drop_user_image=yes' };
  await promisify(execFile)(CLI, args, { cwd: ROOT, env });
}

/** What push proposes, and what it proposes on a database that matches the schema exactly. */
async function drift(url: string, state: State): Promise<{ proposed: string[]; none: string[] }> {
  const c = await connect(url);
  try {
    return { proposed: (await pushProposes(url, state)).statements, none: await pushOnMatchingSchema(c) };
  } finally {
    await c.end();
  }
}

const expectNoDrift = async (url: string, state: State) => {
  const { proposed, none } = await drift(url, state);
  expect(proposed).toEqual(none);
};

describe('drizzle-kit push proposes nothing in any state the pack deploys', () => {
  let url = '';

  it('before the pack (the baseline)', async () => {
    url = await casesDb();
    await expectNoDrift(url, 'before');
  });

  it('the transition (01-07): both columns, the image_id indexes and keys, the key indexes', async () => {
    await pack(url, 'up', '7');
    await expectNoDrift(url, 'transition');
  });

  it('a push from the OLD schema during the transition would drop the new columns (README: when push must not be used)', async () => {
    const { statements } = await pushProposes(url, 'before');
    expect(statements).toContain('ALTER TABLE "posts" DROP COLUMN "image_id";');
    expect(statements).toContain('ALTER TABLE "user" DROP COLUMN "image_id";');
  });

  it('after the pack (08, 09): posts.image_key gone, "user".image kept beside "user".image_id', async () => {
    await pack(url, 'up');
    await expectNoDrift(url, 'after');
  });

  it('after the opt-in drop of "user".image', async () => {
    await optIn(url, 'up');
    await expectNoDrift(url, 'after-drop');
  });

  it('after each down: the opt-in, then back to the transition, then to the baseline', async () => {
    await optIn(url, 'down');
    await expectNoDrift(url, 'after');
    await pack(url, 'down', '2');
    await expectNoDrift(url, 'transition');
    await pack(url, 'down', '7');
    await expectNoDrift(url, 'before');
  });
});

it("node-pg-migrate's table in the app's schema: push would drop its sequence, which tablesFilter cannot exclude", async () => {
  const url = await casesDb();
  // Up and down again: the schema is the baseline, and node-pg-migrate's table stays in public.
  for (const step of ['up', 'down']) {
    const r = await cli([step, '1'], { DATABASE_URL: url });
    expect(r.code, r.out).toBe(0);
  }
  const { proposed, none } = await drift(url, 'before');
  expect(new Set(proposed)).toEqual(new Set([...none, 'DROP SEQUENCE "public"."pgmigrations_id_seq";']));
});
