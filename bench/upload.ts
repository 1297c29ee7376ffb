// What the transition costs an upload: a storage INSERT on the migrated database (the pack up to
// 07, so the upload triggers of 05 resolve posts and users that name the new key) against the
// same INSERT on a baseline twin (a copy taken right after seeding), interleaved in short rounds.
// Also an upload whose key a post already names (the webhook-style flow): it fills that post's
// image_id in the same statement.
//
//   npx tsx bench/upload.ts             # 1,000,000 posts (make bench-upload)
//   SCALE=20k npx tsx bench/upload.ts   # a quick run
//
// Environment: SCALE, BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_OUT and the seeder's other knobs
// (lib/settings.ts; defaults in the README). Writes bench/results/upload-<timestamp>.json.
import fs from 'node:fs';
import path from 'node:path';
import { databaseOf } from '../lib/db.ts';
import { loadBaseline, ServerStartError, startServer, type Server } from '../lib/target.ts';
import { migrate, migrationNames } from '../lib/migrate.ts';
import { seed, seedOptionsFromEnv } from '../lib/seed/seed.ts';
import { createProgress } from '../lib/progress.ts';
import { connect } from './db.ts';
import { interleaved } from './interleave.ts';
import { intSetting, posts, textSetting } from '../lib/settings.ts';

const log = (line: string) => process.stderr.write(`[upload] ${line}\n`);

const INSERT = `INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id)
                VALUES ($1, $2, 'f.jpg', 'image/jpeg', 1000, $3)`;

async function run(server: Server) {
  const seedOptions = { ...seedOptionsFromEnv(process.env), posts: posts('upload') };
  const url = await server.createDatabase('imgref_upload');
  await loadBaseline(url);
  const progress = createProgress();
  const c0 = await connect(url);
  await seed(c0, { ...seedOptions, onProgress: progress.onProgress });
  progress.finish();
  await c0.end();
  const twinUrl = await server.createDatabase('imgref_upload_twin', databaseOf(url));
  const names = migrationNames();
  await migrate(url, { direction: 'up', count: names.indexOf('07_validate-foreign-keys') + 1, log: (l) => log(l.trim()) });
  const [after, before] = [await connect(url), await connect(twinUrl)];
  try {
    const org = (await after.query(`SELECT id FROM organization ORDER BY id LIMIT 1`)).rows[0].id as string;
    // Late uploads: posts of that organization already name keys that have no storage row yet
    // (set up on both databases before timing; only the upload is timed).
    for (const c of [after, before]) {
      await c.query(`UPDATE posts p SET image_key = 'bench/late/' || x.n || '.jpg'
                       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM posts WHERE organization_id = $1 LIMIT 20000) x
                      WHERE p.id = x.id`, [org]);
    }
    const counters = new Map<string, number>();
    const upload = (c: typeof after, kind: 'new' | 'late', side: string) => async () => {
      const k = `${kind}-${side}`;
      const i = (counters.get(k) ?? 0) + 1;
      counters.set(k, i);
      return c.query(INSERT, [`bench_${k}_${i}`, `bench/${kind === 'late' ? 'late' : 'new'}/${i}.jpg`, org]);
    };
    const opts = { rounds: intSetting('BENCH_ROUNDS'), roundMs: intSetting('BENCH_ROUND_MS'), warmupMs: 200 };
    const plain = await interleaved([{ name: 'an upload (storage insert) of a new key', before: upload(before, 'new', 'b'), after: upload(after, 'new', 'a') }], opts, log);
    const late = await interleaved([{ name: 'a late upload: a post already names its key', before: upload(before, 'late', 'b'), after: upload(after, 'late', 'a') }], opts, log);
    const resolved = (await after.query(`SELECT count(*)::int AS n FROM posts WHERE image_key LIKE 'bench/late/%' AND image_id IS NOT NULL`)).rows[0].n as number;
    log(`late uploads resolved ${resolved} posts on the migrated database`);
    return { posts: seedOptions.posts, lateUploadsResolved: resolved, results: [...plain, ...late] };
  } finally {
    await after.end();
    await before.end();
  }
}

async function main(): Promise<number> {
  let server: Server | undefined;
  try {
    server = await startServer();
    const r = await run(server);
    const startedAt = new Date().toISOString();
    console.log(`\nupload cost during the transition, ${r.posts} posts (ms; before = baseline twin, after = pack up to 07)`);
    for (const x of r.results) {
      console.log(`  ${x.name}: before p50 ${x.before.p50.toFixed(3)} p99 ${x.before.p99.toFixed(3)} | after p50 ${x.after.p50.toFixed(3)} p99 ${x.after.p99.toFixed(3)} | +${(x.after.p50 - x.before.p50).toFixed(3)} ms p50`);
    }
    const out = path.resolve(import.meta.dirname, '..', textSetting('BENCH_OUT'));
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `upload-${startedAt.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify({ startedAt, ...r }, null, 2) + '\n');
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    return 0;
  } catch (err) {
    console.error(`bench-upload: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    return err instanceof ServerStartError ? 2 : 1;
  } finally {
    await server?.stop().catch(() => {});
  }
}

process.exit(await main());
