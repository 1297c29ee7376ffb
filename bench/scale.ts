// Cost curves (issue 13 item 5, make bench-scale): make bench at each size of SCALES (default
// 100k,300k,1m), then one chart with a line per metric against the number of posts, log-log:
// the pack's time per step and in all, the backfill's references, the seeding, the feed's p50
// and p99 before and after, the storage delete's p99. Steps should grow linearly (exponent 1),
// latencies stay flat (exponent 0); a point off the median of the other sizes by more than 1.5x
// is printed as a finding (lib/curves.ts).
//
//   make bench-scale                       # 100k, 300k, 1M
//   SCALES=20k,50k make bench-scale        # the smoke run
//   SCALES=100k,1m,10m make bench-scale    # up to 10M (hours on a busy 2-core machine)
//   npx tsx bench/scale.ts --from bench/results/<a>.json <b>.json ...   # chart saved runs again
//
// Each size is one `bench/run.ts` process (its own embedded server, unless DATABASE_URL), whose
// results file (bench/results/<timestamp>.{json,svg}) stays as written; this reads them back.
// Fast mode (always; a knob you set yourself wins): shorter sampling windows, since the curves
// compare sizes, not 1.3x ratios (BENCH_TIME_MS 1000, BENCH_WARMUP_MS 200, BENCH_ROUNDS 4,
// BENCH_ROUND_MS 300). Writes bench/results/scale-<timestamp>.{json,svg} and prints the table.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { curveSvg, curveTable, DEFAULT_BEND_RULES, exponent, findBends, type Series } from '../lib/curves.ts';
import { exitCode } from '../lib/errors.ts';
import { BadInput, EXIT, sizesSetting, textSetting, type Env } from '../lib/settings.ts';
import type { Results } from './report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const started = Date.now();
const log = (line: string) => process.stderr.write(`[bench-scale +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

/** The fast mode: shorter sampling per size. A value already in the environment wins. */
export const FAST_MODE: Readonly<Record<string, string>> = Object.freeze({ BENCH_TIME_MS: '1000', BENCH_WARMUP_MS: '200', BENCH_ROUNDS: '4', BENCH_ROUND_MS: '300' });

function sizes(env: Env): number[] {
  const list = sizesSetting('SCALES', env);
  if (list.length === 0) throw new BadInput('SCALES is empty: give at least one size, e.g. SCALES=100k,300k,1m');
  for (const n of list) if (n < 1000) throw new BadInput(`SCALES: ${n} posts is below make bench's minimum of 1000`);
  return [...new Set(list)].sort((a, b) => a - b);
}

/** One bench/run.ts at `posts`; resolves with its results file. */
function benchAt(posts: number, env: Env): Promise<string> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...Object.fromEntries(Object.entries(FAST_MODE).filter(([k]) => !env[k]?.trim())) };
  childEnv.BENCH_POSTS = String(posts);
  delete childEnv.SCALE;
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'bench/run.ts')], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const stop = () => child.kill('SIGINT'); // run.ts drops its scratch databases on SIGINT
    process.once('SIGINT', stop);
    child.on('error', reject);
    child.on('exit', (code) => {
      process.removeListener('SIGINT', stop);
      const wrote = /wrote (\S+\.json) and/.exec(out);
      if (code === 0 && wrote) return resolve(path.resolve(ROOT, wrote[1]));
      const last = out.trim().split('\n').pop() ?? '';
      const err = new Error(`make bench at ${posts.toLocaleString('en-US')} posts exited ${code}${last ? `: ${last}` : ''}`);
      reject(code === EXIT.BAD_INPUT ? new BadInput(err.message) : err);
    });
  });
}

/** A metric of one run: a value, or undefined when that run's results do not have it (an older shape). */
type Metric = { name: string; unit: 's' | 'ms'; shape: 'linear' | 'flat'; get: (r: Results) => number | undefined };

function metrics(runs: Results[]): Metric[] {
  const stepNames = [...new Set(runs.flatMap((r) => r.pack.map((p) => p.name)))];
  const feedNames = [...new Set(runs.flatMap((r) => r.queriesInterleaved.map((q) => q.name)).filter((n) => n.startsWith('feed')))];
  const secs = (v: number | undefined) => (v === undefined ? undefined : v / 1000);
  const list: Metric[] = [
    { name: 'seed', unit: 's', shape: 'linear', get: (r) => secs(r.seedMs) },
    ...stepNames.map((n): Metric => ({ name: `pack ${n}`, unit: 's', shape: 'linear', get: (r) => secs(r.pack.find((p) => p.name === n)?.ms) })),
    { name: 'pack, whole', unit: 's', shape: 'linear', get: (r) => secs(r.pack.reduce((s, p) => s + p.ms, 0)) },
    { name: "backfill: the pack's procedure (on a copy)", unit: 's', shape: 'linear', get: (r) => secs(r.backfill?.batched?.ms) },
    { name: 'backfill reference (a): one UPDATE', unit: 's', shape: 'linear', get: (r) => secs(r.backfill?.reference?.single?.ms) },
    { name: 'backfill reference (b): page walk', unit: 's', shape: 'linear', get: (r) => secs(r.backfill?.reference?.batched?.ms) },
  ];
  for (const n of feedNames) {
    for (const q of ['p50', 'p99'] as const) {
      for (const side of ['before', 'after'] as const) {
        list.push({ name: `${n} ${q} ${side}`, unit: 'ms', shape: 'flat', get: (r) => r.queriesInterleaved.find((x) => x.name === n)?.[side][q] });
      }
    }
  }
  list.push({ name: 'storage delete p99 (with the image_id indexes)', unit: 'ms', shape: 'flat', get: (r) => r.storageDelete?.after?.p99 });
  return list;
}

/** The series of the runs, one per metric that at least one run measured. */
export function seriesOf(runs: Results[]): Series[] {
  return metrics(runs)
    .map((m) => ({
      name: m.name,
      unit: m.unit,
      shape: m.shape,
      points: runs.flatMap((r) => {
        const v = m.get(r);
        return v === undefined || !Number.isFinite(v) ? [] : [{ rows: r.scale.posts, value: v }];
      }),
    }))
    .filter((s) => s.points.length > 0);
}

/** The runs' results files: `--from` files as given, else one make bench per size of SCALES. */
async function resultFiles(argv: string[]): Promise<string[]> {
  if (argv[0] === '--from') {
    if (argv.length < 2) throw new BadInput('--from needs the results files of make bench runs');
    return argv.slice(1).map((f) => path.resolve(f));
  }
  const list = sizes(process.env);
  const files: string[] = [];
  for (const n of list) {
    log(`make bench at ${n.toLocaleString('en-US')} posts (${files.length + 1}/${list.length})`);
    files.push(await benchAt(n, process.env));
    log(`wrote ${path.relative(ROOT, files[files.length - 1])}`);
  }
  return files;
}

async function main(): Promise<number> {
  try {
    const outDir = path.resolve(ROOT, textSetting('BENCH_OUT'));
    const startedAt = new Date().toISOString();
    const loadavgStart = os.loadavg();
    const files = await resultFiles(process.argv.slice(2));
    const loaded = files.map((file) => ({ file, r: JSON.parse(fs.readFileSync(file, 'utf8')) as Results })).sort((a, b) => a.r.scale.posts - b.r.scale.posts);
    const runs = loaded.map((x) => x.r);
    const list = runs.map((r) => r.scale.posts);
    const series = seriesOf(runs);
    // Each finding says how busy the machine was during that size's run: on a shared machine,
    // a bend can be the load's rather than the pack's.
    const loadOf = new Map(runs.map((r) => [r.scale.posts, `load average ${r.machine.loadavgStart[0].toFixed(1)} to ${r.machine.loadavgEnd[0].toFixed(1)} during that run`]));
    const bends = findBends(series).map((b) => ({ ...b, line: `${b.line} (${loadOf.get(b.rows)})` }));
    const table = curveTable(series, list, bends);
    const findings = bends.map((b) => b.line);
    const loads = runs.map((r) => `${r.machine.loadavgStart[0].toFixed(1)}-${r.machine.loadavgEnd[0].toFixed(1)}`).join(', ');
    const st = runs[0].settings;
    const sampling = `sampling ${st.timeMs} ms per query after ${st.warmupMs} ms of warmup, ${st.rounds} interleaved rounds of ${st.roundMs} ms`;
    const subtitle = `make bench per size (${sampling}), ${runs[0].server.kind} PostgreSQL ${runs[0].server.version}, ${os.cpus().length} cores, load average ${loads} per run, ${startedAt}`;
    const stamp = startedAt.replace(/[:.]/g, '-');
    fs.mkdirSync(outDir, { recursive: true });
    const json = path.join(outDir, `scale-${stamp}.json`);
    const svg = path.join(outDir, `scale-${stamp}.svg`);
    const summary = {
      startedAt,
      finishedAt: new Date().toISOString(),
      sizes: list,
      settings: runs.map((r) => ({ posts: r.scale.posts, ...r.settings })),
      machine: { cpus: os.cpus().length, loadavgStart, loadavgEnd: os.loadavg() },
      runs: loaded.map(({ file, r }) => ({ posts: r.scale.posts, file: path.relative(ROOT, file), durationS: r.durationS, loadavgStart: r.machine.loadavgStart, loadavgEnd: r.machine.loadavgEnd })),
      bendRules: DEFAULT_BEND_RULES,
      series: series.map((s) => ({ ...s, exponent: exponent(s) })),
      findings,
    };
    fs.writeFileSync(json, JSON.stringify(summary, null, 2) + '\n');
    fs.writeFileSync(svg, curveSvg(`Cost curves of the image_id pack, ${list.map((n) => n.toLocaleString('en-US')).join(' / ')} posts`, subtitle, series, list, bends));
    console.log(table);
    console.log(findings.length ? '\n' + findings.join('\n') : `\n${list.length < 3 ? 'no bends judged: fewer than three sizes' : 'no point bends its curve'}`);
    console.log(`\nwrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), svg)}`);
    return 0;
  } catch (err) {
    console.error(`bench-scale: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    return exitCode(err);
  }
}

main().then((code) => process.exit(code));
