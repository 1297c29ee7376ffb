// The backfill at several batch sizes, in one run on one seeded database (issue 13: the page
// walk's per-batch cost against the single UPDATE): compareBackfill once per size, each with its
// own references in alternating rounds, so every ratio is measured beside its reference.
//
//   make bench-batch-sizes                                  # 1000,2500,5000 rows at 1M posts
//   BENCH_BATCH_SIZES=1000,5000 SCALE=200k make bench-batch-sizes
//
// Prints one line per size and writes bench/results/batch-sizes-<time>.json.
import fs from 'node:fs';
import path from 'node:path';
import { ServerStartError, startServer } from '../lib/target.ts';
import { BadInput, benchSettings, EXIT, flagSetting, intSetting, sizesSetting } from '../lib/settings.ts';
import { seedOptionsFromEnv } from '../lib/seed/seed.ts';
import { compareBackfill } from './backfill.ts';
import { seedDatabase } from './seeded.ts';

const started = Date.now();
const log = (line: string) => process.stderr.write(`[batch-sizes +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

const mb = (b?: number) => (b === undefined ? '-' : Math.round(b / 2 ** 20));

async function main(): Promise<void> {
  const cfg = benchSettings(process.env);
  const sizes = sizesSetting('BENCH_BATCH_SIZES');
  if (sizes.length === 0) throw new BadInput('BENCH_BATCH_SIZES is empty: give at least one size, e.g. 1000,5000');
  const server = await startServer();
  try {
    const { url } = await seedDatabase(server, cfg.posts, seedOptionsFromEnv({ ...process.env, SCALE: undefined }), log);
    const out = [];
    for (const batchSize of sizes) {
      const r = await compareBackfill(server, url, { batchSize, rounds: intSetting('BENCH_BACKFILL_ROUNDS'), ideas: flagSetting('BENCH_BACKFILL_IDEAS') }, log);
      const line = `batch ${batchSize}: pack ${(r.batched.ms / 1000).toFixed(2)} s (${r.batched.batches} batches, slowest ${r.batched.slowestBatchMs} ms), (a) ${(r.reference.single.ms / 1000).toFixed(2)} s, (b) ${(r.reference.batched.ms / 1000).toFixed(2)} s, pack/(a) ${(r.batched.ms / r.reference.single.ms).toFixed(3)}x, pack/(b) ${(r.batched.ms / r.reference.batched.ms).toFixed(3)}x; WAL MB pack ${mb(r.batched.walBytes)}, (a) ${mb(r.reference.single.walBytes)}, (b) ${mb(r.reference.batched.walBytes)}; rounds ${JSON.stringify(r.rounds.map((x) => [x.single, x.batched, x.pack].map((v) => +(v / 1000).toFixed(2))))}`;
      log(line);
      for (const i of r.ideas) log(`  idea: ${i.name}: ${(i.run.ms / 1000).toFixed(2)} s, ${i.overPack.toFixed(3)}x the pack, ${i.overReference.toFixed(3)}x the reference, WAL ${mb(i.run.walBytes)} MB`);
      out.push(r);
    }
    const dir = path.resolve(import.meta.dirname, '..', cfg.outDir);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `batch-sizes-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(out, null, 2));
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  const oneLine = e instanceof ServerStartError || e instanceof BadInput;
  console.error(oneLine ? e.message : e);
  process.exit(e instanceof BadInput ? EXIT.BAD_INPUT : EXIT.FAILED);
});
