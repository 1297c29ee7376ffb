// Prints a saved run again and rewrites its chart, with the targets evaluated by the current
// bench/report.ts:   npx tsx bench/render.ts bench/results/<timestamp>.json
import fs from 'node:fs';
import { chartSvg } from './chart.ts';
import { printable, targets, type Results } from './report.ts';

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error(`render: give a results file, e.g. bench/results/<timestamp>.json${file ? ` (${file} not found)` : ''}`);
  process.exit(2);
}
let saved: Results;
try {
  saved = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`render: ${file} is not a results file: ${(e as Error).message}`);
  process.exit(2);
}
const { targets: _, ...rest } = saved;
const results: Results = { ...rest, targets: targets(rest) };
fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(file.replace(/\.json$/, '.svg'), chartSvg(results));
console.log(printable(results));
process.exit(0);
