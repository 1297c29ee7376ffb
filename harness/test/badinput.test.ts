// Bad input to make migrate (harness/migrate-cli.ts): each is one line on stderr, no stack trace,
// exit 2 for input the user must fix, exit 1 for a refusal of the pack itself.
import { describe, it, expect, inject } from 'vitest';
import { baselineDb, emptyDb, connect, applied } from './db.ts';
import { cli, migrateCli, type MigrateCliRun } from './cli.ts';
import { bulkPosts } from './bulk.ts';
import { migrationNames } from '../../lib/migrate.ts';
import { firstOf } from '../../lib/plan.ts';
import { withDatabase } from '../../lib/db.ts';

/** The one error line; fails on a stack trace or on more than one error line. */
function oneLineError(r: MigrateCliRun): string {
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('make migrate: bad input', () => {
  it('no DATABASE_URL, a bad count or a bad knob: usage errors, exit 2', async () => {
    const [noUrl, badCount, badRetries] = await Promise.all([
      migrateCli(['up'], {}),
      migrateCli(['up', 'zero'], { DATABASE_URL: 'postgres://localhost/x' }),
      migrateCli(['up'], { DATABASE_URL: 'postgres://localhost/x', MIGRATE_RETRIES: '-1' }),
    ]);
    expect(oneLineError(noUrl)).toBe('error: DATABASE_URL is not set: point it at the database to migrate');
    expect(oneLineError(badCount)).toBe('error: N must be a positive integer, got "zero"');
    expect(oneLineError(badRetries)).toBe('error: MIGRATE_RETRIES must be a whole number >= 0, got "-1"');
    for (const r of [noUrl, badCount, badRetries]) expect(r.code).toBe(2);
  });

  it('an unreachable server, a wrong password, a database that does not exist: one line each, exit 2', async () => {
    const url = await baselineDb();
    const wrongPassword = new URL(url);
    wrongPassword.password = 'not-the-password';
    const missingDb = withDatabase(inject('adminUrl'), 'imgref_no_such_database');
    const [unreachable, login, missing] = await Promise.all([
      migrateCli(['up'], { DATABASE_URL: 'postgres://postgres:x@127.0.0.1:1/postgres' }),
      migrateCli(['up'], { DATABASE_URL: wrongPassword.toString() }),
      migrateCli(['up'], { DATABASE_URL: missingDb }),
    ]);
    expect(oneLineError(unreachable)).toBe('error: cannot reach PostgreSQL at 127.0.0.1:1: connection refused (is DATABASE_URL right, and the server up?)');
    expect(oneLineError(login)).toMatch(/^error: PostgreSQL refused the login: password authentication failed for user "\w+"$/);
    expect(oneLineError(missing)).toBe('error: database "imgref_no_such_database" does not exist (check the database name in DATABASE_URL)');
    for (const r of [unreachable, login, missing]) expect(r.code).toBe(2);
    expect(await applied(url)).toEqual([]);
  });

  it('a database without the baseline: names what is missing, changes nothing, exit 2', async () => {
    const url = await emptyDb();
    const r = await migrateCli(['up'], { DATABASE_URL: url });
    expect(oneLineError(r)).toBe(
      'error: baseline schema not found in schema public: missing tables: "user", organization, posts, storage; missing columns: none' +
        " — hint: Point DATABASE_URL at the app's database (and --schema at the schema of its tables). The app's tables were not touched." +
        ' node-pg-migrate created its own table pgmigrations before this check (DROP TABLE pgmigrations removes it).',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('retrying');
    expect(await applied(url)).toEqual([]);
  });

  it('the contract before the backfill (the backfill and validation marked run with --fake): refused with nothing changed, exit 1', async () => {
    const url = await baselineDb();
    await bulkPosts(url, 2000);
    const names = migrationNames();
    const backfill = firstOf('backfill');
    const firstContract = firstOf('contract');
    expect((await migrateCli(['up', String(backfill)], { DATABASE_URL: url })).code).toBe(0);
    // A DBA marks the backfill and validation steps as done without running them.
    const fake = await cli(['up', String(firstContract - backfill), '--fake'], { DATABASE_URL: url });
    expect(fake.code).toBe(0);
    expect(await applied(url)).toEqual(names.slice(0, firstContract));

    const r = await migrateCli(['up'], { DATABASE_URL: url });
    expect(oneLineError(r)).toMatch(
      /^error: contract refused, nothing changed: posts is not backfilled: \d+ rows have a mappable key and no image_id, or a key that disagrees with image_id \(posts: p\d+ \(mappable key, no image_id\), .*\) — hint: Something wrote around the sync triggers\. Run the backfill again \(make backfill/,
    );
    expect(r.code).toBe(1);
    expect(await applied(url)).toEqual(names.slice(0, firstContract));
    const c = await connect(url);
    const col = await c.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'posts' AND column_name = 'image_key'`);
    expect(col.rows[0].n).toBe(1);
    expect((await c.query(`SELECT to_regclass('posts_image_key_archive') AS t`)).rows[0].t).toBeNull();
    await c.end();

    // The remedy the message names: make backfill, then up.
    expect((await migrateCli(['backfill'], { DATABASE_URL: url })).code).toBe(0);
    const again = await migrateCli(['up'], { DATABASE_URL: url });
    expect(again.code).toBe(0);
    expect(await applied(url)).toEqual(names);
  });
});
