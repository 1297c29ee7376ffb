// sql/baseline.sql is the app's real schema: drizzle-kit's DDL for app/schema/states/before.ts
// (better-auth's generated tables plus the app's own), so the harness, seeds, verify and bench
// run on what a Drizzle + better-auth app has.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sqlText } from '../../../lib/sql.ts';
import { connect, emptyDb } from '../db.ts';
import { catalog, CONFIG, drizzleKit, exportSql, pushOnMatchingSchema, pushProposes, schemaOf } from './drizzle-kit.ts';

/** baseline.sql without its leading comment lines. */
const baselineBody = () =>
  sqlText('baseline.sql')
    .split('\n')
    .filter((l, i, all) => !(l.startsWith('--') && all.slice(0, i).every((p) => p.startsWith('--'))))
    .join('\n');

describe('sql/baseline.sql', () => {
  it('is drizzle-kit export of the "before" schema, schema qualifier removed (app/schema/generate/baseline.sh)', async () => {
    const ddl = (await exportSql('before')).replaceAll('"public".', '');
    expect(baselineBody().trim()).toBe(ddl.trim());
  });

  it('creates the same catalog as drizzle-kit push of the "before" schema into an empty database', async () => {
    const fromBaseline = await emptyDb();
    const fromPush = await emptyDb();
    const b = await connect(fromBaseline);
    const p = await connect(fromPush);
    try {
      await b.query(sqlText('baseline.sql'));
      const push = await drizzleKit(['push', '--config', CONFIG], { DATABASE_URL: fromPush, DRIZZLE_SCHEMA: schemaOf('before') });
      expect(push.out).toMatch(/Changes applied/);
      const pushed = await catalog(p);
      expect(pushed.length).toBeGreaterThan(50);
      expect(await catalog(b)).toEqual(pushed);
      // And push, run again, finds the database it made as its schema says.
      expect((await pushProposes(fromPush, 'before')).statements).toEqual(await pushOnMatchingSchema(p));
    } finally {
      await b.end();
      await p.end();
    }
  });

  it("has better-auth's tables and types: session, account, verification, invitation; timestamp without time zone; organization.slug NOT NULL", async () => {
    const c = await connect(await emptyDb());
    try {
      await c.query(sqlText('baseline.sql'));
      const rows = await catalog(c);
      for (const t of ['session', 'account', 'verification', 'invitation'])
        expect(rows.some((r) => r.startsWith(`column ${t}.id:`))).toBe(true);
      expect(rows).toContain('column organization.slug: text NOT NULL');
      expect(rows).toContain('column organization.created_at: timestamp without time zone NOT NULL');
      expect(rows).toContain('column user.created_at: timestamp without time zone NOT NULL now()');
    } finally {
      await c.end();
    }
  });

  it('loads into whatever schema search_path names (no "public". qualifier)', async () => {
    const c = await connect(await emptyDb());
    try {
      await c.query('CREATE SCHEMA app; SET search_path = app');
      await c.query(sqlText('baseline.sql'));
      expect((await catalog(c, 'public')).length).toBe(0);
      expect((await catalog(c, 'app')).length).toBeGreaterThan(50);
    } finally {
      await c.end();
    }
  });
});

// The generator script and this test agree on where the file is.
it('app/schema/generate/baseline.sh writes sql/baseline.sql', () => {
  expect(fs.readFileSync(new URL('../../../app/schema/generate/baseline.sh', import.meta.url), 'utf8')).toMatch(/> sql\/baseline\.sql\.tmp/);
});
