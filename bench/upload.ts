// What the transition costs an upload: a storage INSERT on the migrated database (the pack up to
// 07, so the upload triggers of 05 resolve posts and users that name the new key) against the
// same INSERT on a baseline twin (a copy taken right after seeding), interleaved in short rounds.
// Also an upload whose key a post already names (the webhook-style flow): it fills that post's
// image_id in the same statement.
//
//   npx tsx bench/upload.ts                    # 1,000,000 posts (make bench-upload)
//   BENCH_POSTS=20000 npx tsx bench/upload.ts  # a quick run
//
// Environment: BENCH_POSTS (or SCALE), BENCH_ROUNDS (6), BENCH_ROUND_MS (500), BENCH_OUT
// (bench/results), and the seeder's knobs. Writes bench/results/upload-<timestamp>.json.
import fs from 'node:fs';
import path from 'node:path';
import { databaseOf, loadBaseline, ServerStartError, startServer, type Server } from '../harness/target.ts';
import { migrate, migrationNames } from '../harness/migrate.ts';
import { seed, seedOptionsFromEnv } from '../seeds/seed.ts';
import { createProgress } from '../seeds/progress.ts';
import { connect } from './db.ts';
import { interleaved } from './interleave.ts';

const log = (line: string) => process.stderr.write(`[upload] ${line}\n`);

const intEnv = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};

const INSERT = `INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id)
                VALUES ($1, $2, 'f.jpg', 'image/jpeg', 1000, $3)`;

async function run(server: Server) {
  const seedOptions = { posts: 1_000_000, ...seedOptionsFromEnv(process.env) };
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
    let n = 0;
    const upload = (c: typeof after, late: boolean) => async () => {
      const i = n++;
      const key = `bench/upload/${i}.jpg`;
      // A late upload: a post already names the key and has no image_id yet.
      if (late) await c.query(`UPDATE posts SET image_key = $1 WHERE id = (SELECT id FROM posts WHERE organization_id = $2 ORDER BY id OFFSET $3 LIMIT 1)`, [key, org, i % 5000]);
      return c.query(INSERT, [`bench_up_${i}`, key, org]);
    };
    const opts = { rounds: intEnv('BENCH_ROUNDS', 6), roundMs: intEnv('BENCH_ROUND_MS', 500), warmupMs: 200 };
    const plain = await interleaved([{ name: 'storage insert (an upload)', before: upload(before, false), after: upload(after, false) }], opts, log);
    const late = await interleaved([{ name: 'post names the key, then the upload (update + insert)', before: upload(before, true), after: upload(after, true) }], opts, log);
    return { posts: seedOptions.posts, results: [...plain, ...late] };
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
    const out = process.env.BENCH_OUT || path.join(import.meta.dirname, 'results');
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
