// make preflight: exact counts per reason on the hand-made edge cases, agreement with what the
// pack then does (and with the seeder's own tally), the read-only session, mid-way runs, and the
// CLI's output, JSON and exit codes.
import { spawn } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { baselineDb, emptyDb, connect, casesDb } from './db.ts';
import { migrate, migrationNames } from '../../lib/migrate.ts';
import { ROOT, sqlText } from '../../lib/sql.ts';
import { runPreflight, openReadOnly, MissingBaseline, type PreflightReport } from '../preflight.ts';
import { seed } from '../../lib/seed/seed.ts';



interface Run { code: number | null; stdout: string; stderr: string }

function preflightCli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'harness/preflight.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, BACKFILL_BATCH_SIZE: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

/** Each row's reason, read by hand off cases/mapping.sql (its content / name says why). */
const POSTS_BY_REASON = {
  null: ['p_null'],
  mapped: ['', 'p_both_a', 'p_both_b', 'p_old', 'p_plain', 'p_shared1', 'p_tie', 'p_unicode'],
  no_storage_row: ['p_missing', 'p_nfd'],
  other_organization_only: ['p_other'],
  url: ['p_url'],
  blank: ['p_blank'],
  variant: ['p_case', 'p_lead'],
};
const USERS_BY_REASON = {
  null: ['u_author'],
  mapped: ['u_avatar', 'u_dup', 'u_orgfile'],
  no_storage_row: ['u_missing'],
  url: ['u_gh', 'u_url'],
  blank: ['u_blank'],
  variant: ['u_case', 'u_space'],
};

function counts(byReason: Record<string, string[]>, reasons: string[]) {
  return Object.fromEntries(reasons.map((r) => [r, byReason[r].length]));
}

function examples(byReason: Record<string, string[]>, reasons: string[]) {
  return Object.fromEntries(reasons.map((r) => [r, [...byReason[r]].sort()[0]]));
}

describe('preflight: counts by reason', () => {
  it('counts every edge case of cases/mapping.sql by its reason', async () => {
    const url = await casesDb();
    const r = await runPreflight(url);

    const postReasons = ['no_storage_row', 'other_organization_only', 'url', 'blank', 'variant'];
    expect(r.posts).toMatchObject({
      column: 'image_key',
      state: 'baseline',
      total: 16,
      null: POSTS_BY_REASON.null.length,
      mapped: POSTS_BY_REASON.mapped.length,
      unmappedTotal: 7,
      unmapped: counts(POSTS_BY_REASON, postReasons),
      examples: examples(POSTS_BY_REASON, postReasons),
      // org/org_a/posts/tie.jpg and .../old.jpg each have two rows in org_a
      duplicates: { keys: 2, rows: 2 },
      withImageId: null,
      batches: 1,
    });
    const userReasons = ['no_storage_row', 'url', 'blank', 'variant'];
    expect(r.user).toMatchObject({
      column: 'image',
      state: 'baseline',
      total: 10,
      null: USERS_BY_REASON.null.length,
      mapped: USERS_BY_REASON.mapped.length,
      unmappedTotal: 6,
      unmapped: counts(USERS_BY_REASON, userReasons),
      examples: examples(USERS_BY_REASON, userReasons),
      duplicates: { keys: 1, rows: 1 },
      withImageId: null,
      batches: 1,
    });
    // s_orphan: nothing names its key; s_av_dup2, s_tie_b, s_old_a: duplicates the rule passes over
    expect(r.storage).toEqual({
      total: 13, unreferenced: 4, neverNamed: 1, duplicateNotPicked: 3, unreferencedBytes: 10 + 20 + 20 + 20, example: 's_av_dup2',
    });
    expect(r.applied).toEqual([]);
    expect(r.pending).toEqual(migrationNames());

    // The hand-read reasons agree with the "expect <id>|none" each row carries.
    const c = await connect(url);
    const { rows } = await c.query(`
      SELECT 'posts' AS tbl, count(*) FILTER (WHERE content ~ '^expect none') AS none, count(*) AS n FROM posts
      UNION ALL SELECT 'user', count(*) FILTER (WHERE name ~ '^expect none'), count(*) FROM "user" ORDER BY 1`);
    await c.end();
    expect(rows.map((x) => [x.tbl, Number(x.none), Number(x.n)])).toEqual([
      ['posts', r.posts.null! + r.posts.unmappedTotal!, r.posts.total],
      ['user', r.user.null! + r.user.unmappedTotal!, r.user.total],
    ]);
  });
});

describe('preflight: predictions', () => {
  it('predicts what the pack does: mapped rows, archived values, backfill batches, orphaned storage', async () => {
    const url = await casesDb();
    // The backfill walks pages: 16 posts and 10 users fit one page each, so one batch each.
    const r = await runPreflight(url, { batchSize: 3 });
    expect([r.posts.batches, r.user.batches]).toEqual([1, 1]);

    const notices: string[] = [];
    const saved = process.env.BACKFILL_BATCH_SIZE;
    process.env.BACKFILL_BATCH_SIZE = '3';
    try {
      await migrate(url, { direction: 'up', log: (l) => notices.push(l) });
    } finally {
      if (saved === undefined) delete process.env.BACKFILL_BATCH_SIZE;
      else process.env.BACKFILL_BATCH_SIZE = saved;
    }
    const done = (tbl: string) => {
      const m = notices.map((l) => new RegExp(`backfill ${tbl}: done, (\\d+) rows scanned, (\\d+) written, (\\d+) batches \\(last \\d+ pages, started at about 3 rows\\)`).exec(l)).find(Boolean);
      expect(m, `backfill ${tbl} summary in ${notices.join(' | ')}`).toBeTruthy();
      return m!.slice(1).map(Number);
    };
    expect(done('posts')).toEqual([r.posts.total, r.posts.mapped, r.posts.batches]);
    expect(done('user')).toEqual([r.user.total, r.user.mapped, r.user.batches]);

    const c = await connect(url);
    const n = async (sql: string, params: unknown[] = []) => Number((await c.query(sql, params)).rows[0].n);
    expect(await n('SELECT count(image_id) AS n FROM posts')).toBe(r.posts.mapped);
    expect(await n('SELECT count(image_id) AS n FROM "user"')).toBe(r.user.mapped);
    expect(await n('SELECT count(*) AS n FROM posts_image_key_archive')).toBe(r.posts.unmappedTotal);
    // The user contract keeps provider URLs in "user".image and archives every other unmapped value.
    expect(await n('SELECT count(*) AS n FROM user_image_archive')).toBe(r.user.unmappedTotal! - (r.user.unmapped?.url ?? 0));
    expect(await n(`SELECT count(*) AS n FROM "user" WHERE image ~* '^https?://'`)).toBe(r.user.unmapped?.url);
    const orphans = await c.query(sqlText('reports/orphaned-storage.sql'), ['0 seconds']);
    await c.end();
    expect(orphans.rows.length).toBe(r.storage!.unreferenced);
    expect(orphans.rows.reduce((s, o) => s + Number(o.size), 0)).toBe(r.storage!.unreferencedBytes);
  });

  it('agrees with the seeder\'s own tally of the edge cases it planted', async () => {
    const url = await baselineDb();
    const c = await connect(url);
    const s = await seed(c, { posts: 3000 });
    await c.end();
    const r = await runPreflight(url);
    const p = s.edgeCases.posts;
    const u = s.edgeCases.users;
    expect(r.posts.total).toBe(s.rows.posts);
    expect(r.posts.null).toBe(s.rows.posts - p.withImage);
    expect([r.posts.mapped, r.posts.unmappedTotal]).toEqual([s.expected.postsMapped, s.expected.postsUnmapped]);
    expect(r.posts.unmapped).toEqual({
      no_storage_row: p.missingKey, other_organization_only: p.otherOrgOnly, url: p.urls, blank: p.blanks,
      variant: p.leadingSpace + p.trailingSpace + p.upperCase,
    });
    expect(r.posts.duplicates!.rows).toBe(p.duplicateKey);
    expect(r.user.total).toBe(s.rows.user);
    expect(r.user.null).toBe(s.rows.user - u.withImage);
    expect([r.user.mapped, r.user.unmappedTotal]).toEqual([s.expected.usersMapped, s.expected.usersUnmapped]);
    expect(r.user.unmapped).toEqual({
      no_storage_row: u.missingKey, url: u.oauthUrl, blank: u.blanks, variant: u.leadingSpace + u.trailingSpace + u.upperCase,
    });
    expect(r.user.duplicates!.rows).toBe(u.duplicateKey);
    expect(r.storage!.total).toBe(s.rows.storage);
  });
});

describe('preflight: sessions and schema states', () => {
  it('runs in a READ ONLY transaction: a write through its session fails with 25006', async () => {
    const url = await casesDb();
    const writes = [
      `INSERT INTO organization (id, name) VALUES ('org_x', 'X')`,
      `UPDATE posts SET image_key = NULL WHERE id = 'p_plain'`,
      `DELETE FROM storage WHERE id = 's_orphan'`,
      `CREATE TABLE preflight_wrote_here (id int)`,
    ];
    for (const sql of writes) {
      const s = await openReadOnly(url);
      try {
        expect((await s.query(`SHOW transaction_read_only`))[0].transaction_read_only).toBe('on');
        await expect(s.query(sql)).rejects.toMatchObject({ code: '25006' });
      } finally {
        await s.close();
      }
    }
    const c = await connect(url);
    const still = await c.query(`SELECT (SELECT count(*) FROM organization WHERE id = 'org_x') AS org,
                                        (SELECT image_key FROM posts WHERE id = 'p_plain') AS key,
                                        (SELECT count(*) FROM storage WHERE id = 's_orphan') AS orphan,
                                        to_regclass('preflight_wrote_here') AS tbl`);
    await c.end();
    expect(still.rows[0]).toEqual({ org: '0', key: 'org/org_a/posts/one.jpg', orphan: '1', tbl: null });
  });

  it('works mid-way: in the transition it shows the image_ids already set, after the posts contract it reports what it can', async () => {
    const url = await casesDb();
    const before = await runPreflight(url);
    const names = migrationNames();

    await migrate(url, { direction: 'up', count: names.indexOf('06_backfill') + 1 });
    const transition = await runPreflight(url);
    expect(transition.applied).toEqual(names.slice(0, names.indexOf('06_backfill') + 1));
    expect(transition.posts).toEqual({ ...before.posts, state: 'transition', withImageId: before.posts.mapped });
    expect(transition.user).toEqual({ ...before.user, state: 'transition', withImageId: before.user.mapped });
    expect(transition.storage).toEqual(before.storage);

    await migrate(url, { direction: 'up', count: names.indexOf('08_contract-posts') - names.indexOf('06_backfill') });
    const half = await runPreflight(url);
    expect(half.applied.at(-1)).toBe('08_contract-posts');
    expect(half.posts).toMatchObject({ column: 'image_id', state: 'contracted', total: 16, withImageId: before.posts.mapped, mapped: null, unmapped: null, batches: null });
    expect(half.user).toMatchObject({ state: 'transition', mapped: before.user.mapped, unmapped: before.user.unmapped });
    expect(half.storage).toBeNull();
  });

  it('names missing tables and columns instead of counting', async () => {
    const url = await baselineDb();
    const c = await connect(url);
    await c.query(`DROP TABLE post_likes, posts; ALTER TABLE storage DROP COLUMN file_key`);
    await c.end();
    const err = await runPreflight(url).catch((e) => e);
    expect(err).toBeInstanceOf(MissingBaseline);
    expect([err.tables, err.columns]).toEqual([['posts'], ['storage.file_key']]);
  });
});

describe('preflight: the command line', () => {
  it('CLI: a readable table, and --json with the same numbers', async () => {
    const url = await casesDb();
    const inProcess = await runPreflight(url);
    const [text, json] = await Promise.all([preflightCli([], { DATABASE_URL: url }), preflightCli(['--json'], { DATABASE_URL: url })]);

    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as PreflightReport;
    expect({ ...parsed, ms: 0 }).toEqual({ ...inProcess, ms: 0 });

    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const row = (label: string) => lines(text.stdout).find((l) => l.trimStart().startsWith(label))?.replace(/\s+/g, ' ').trim();
    expect(row('rows')).toBe('rows 16 10');
    expect(row('maps by the rule')).toBe('maps by the rule 8 3');
    expect(row('no storage row')).toBe('no storage row 2 e.g. "p_missing" 1 e.g. "u_missing"');
    expect(row('other organization only')).toBe('other organization only 1 e.g. "p_other" n/a');
    expect(row('case/whitespace variant')).toBe('case/whitespace variant of a key 2 e.g. "p_case" 2 e.g. "u_case"');
    expect(row('backfill batches')).toBe('backfill batches (of 1,000) 1 1');
    expect(text.stdout).toMatch(/storage: 13 rows; 4 that nothing will reference \(70 bytes\): 1 whose key no value names, 3 duplicates/);
  });

  it('CLI: exit 2 naming the missing baseline tables on an empty database', async () => {
    const r = await preflightCli([], { DATABASE_URL: await emptyDb() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      'error: baseline schema not found in schema public: missing tables: "user", organization, posts, storage (point DATABASE_URL at the app\'s database; nothing was changed)',
    ]);
  });

  it('CLI: one line and exit 2 for an unreachable server, a refused login, a bad batch size', async () => {
    const url = new URL(await baselineDb());
    const refusedLogin = new URL(url);
    refusedLogin.username = 'no_such_role';
    refusedLogin.password = 'wrong';
    const [down, login, batch, noUrl] = await Promise.all([
      preflightCli([], { DATABASE_URL: 'postgres://postgres:x@127.0.0.1:1/postgres' }),
      preflightCli([], { DATABASE_URL: refusedLogin.toString() }),
      preflightCli([], { DATABASE_URL: url.toString(), BACKFILL_BATCH_SIZE: 'lots' }),
      preflightCli([], { DATABASE_URL: '' }),
    ]);
    expect(lines(down.stderr)).toEqual([expect.stringMatching(/^error: cannot reach PostgreSQL at 127\.0\.0\.1:1: connection refused/)]);
    expect(lines(login.stderr)).toEqual([expect.stringMatching(/^error: PostgreSQL refused the login: .*no_such_role/)]);
    expect(lines(batch.stderr)).toEqual(['error: BACKFILL_BATCH_SIZE must be a whole number >= 1, got "lots"']);
    expect(lines(noUrl.stderr)).toEqual([expect.stringMatching(/^error: DATABASE_URL is not set/)]);
    for (const r of [down, login, batch, noUrl]) expect([r.code, r.stdout]).toEqual([2, '']);
  });
});
