// A hand-written SVG of a run: per query, a before and an after bar (p99, with a tick at p50) on a
// log scale, with the 100 ms budget and the 1 ms targets drawn across. No dependencies.
import { BUDGET_MS, type Results } from './report.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

const BEFORE = '#9aa5b1';
const AFTER = '#2f6fdf';

export function chartSvg(r: Results): string {
  const rows = [...r.queries, r.storageDelete];
  const values = rows.flatMap((q) => [q.before.p50, q.before.p99, q.after.p50, q.after.p99]).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.001, Math.min(...values)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(BUDGET_MS * 2, ...values))));

  const W = 1040;
  const left = 300;
  const right = W - 110;
  const top = 136;
  const group = 54;
  const barH = 15;
  const H = top + rows.length * group + 86;
  const x = (v: number) => left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (right - left);
  const plotBottom = top + rows.length * group;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="20" y="28" font-size="17" font-weight="600">Query latency before and after the image_id pack, ${esc(r.scale.posts.toLocaleString('en-US'))} posts</text>`);
  out.push(`<text x="20" y="48" fill="#555">Sequential run: p99 (bar) and p50 (tick), ms, log scale. PostgreSQL ${r.server.version} (${esc(r.server.kind)}), ${r.machine.cpus} cores, ${esc(r.startedAt)}</text>`);
  // legend
  out.push(`<rect x="20" y="62" width="14" height="12" fill="${BEFORE}"/><text x="40" y="72">before: the before/ query on the baseline schema (storage delete: without the image_id indexes)</text>`);
  out.push(`<rect x="20" y="82" width="14" height="12" fill="${AFTER}"/><text x="40" y="92">after: the new query once the whole pack ran (storage delete: with the image_id indexes)</text>`);

  // decade grid
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const gx = x(d).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${plotBottom}" stroke="#e3e6ea"/>`);
    out.push(`<text x="${gx}" y="${plotBottom + 16}" text-anchor="middle" fill="#555">${d >= 1 ? d.toFixed(0) : d.toPrecision(1)} ms</text>`);
  }
  // targets and budget
  const bx = x(BUDGET_MS).toFixed(1);
  out.push(`<line x1="${bx}" y1="${top - 14}" x2="${bx}" y2="${plotBottom}" stroke="#d62728" stroke-width="2" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${bx}" y="${top - 18}" text-anchor="middle" fill="#d62728" font-weight="600">budget ${BUDGET_MS} ms</text>`);
  const tx = x(1).toFixed(1);
  out.push(`<line x1="${tx}" y1="${top - 14}" x2="${tx}" y2="${plotBottom}" stroke="#ff7f0e" stroke-width="1.5" stroke-dasharray="2 3"/>`);
  out.push(`<text x="${tx}" y="${top - 18}" text-anchor="middle" fill="#ff7f0e">target 1 ms (feed, delete)</text>`);

  rows.forEach((q, i) => {
    const y = top + i * group + 8;
    out.push(`<text x="${left - 10}" y="${y + barH + 4}" text-anchor="end" font-weight="600">${esc(q.name)}</text>`);
    const ratio = q.after.p50 / q.before.p50;
    const side = r.queriesInterleaved.find((x) => x.name === q.name);
    const what =
      q === r.storageDelete
        ? `with the indexes ${Math.round(q.before.p50 / q.after.p50).toLocaleString('en-US')}x faster`
        : `after/before ${ratio.toFixed(2)}x` + (side ? `, interleaved ${(side.after.p50 / side.before.p50).toFixed(2)}x` : '');
    out.push(`<text x="${left - 10}" y="${y + barH + 19}" text-anchor="end" fill="#555">${esc(what)} (p50)</text>`);
    for (const [k, l, color] of [[0, q.before, BEFORE], [1, q.after, AFTER]] as const) {
      const by = y + k * (barH + 4);
      const w = Math.max(1, x(l.p99) - left);
      out.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"><title>${esc(`${k ? q.afterLabel : q.beforeLabel}: mean ${fmt(l.mean)}, p50 ${fmt(l.p50)}, p95 ${fmt(l.p95)}, p99 ${fmt(l.p99)} ms, ${l.samples} samples`)}</title></rect>`);
      const px = x(l.p50).toFixed(1);
      out.push(`<line x1="${px}" y1="${by - 2}" x2="${px}" y2="${by + barH + 2}" stroke="#111" stroke-width="2"/>`);
      out.push(`<text x="${(left + w + 6).toFixed(1)}" y="${by + barH - 3}" fill="#333">${fmt(l.p99)} (p50 ${fmt(l.p50)})</text>`);
    }
  });

  const b = r.backfill;
  const total = r.pack.reduce((s, p) => s + p.ms, 0) / 1000;
  const foot = [
    b.reference
      ? `Backfill of ${b.posts.toLocaleString('en-US')} posts: the pack's procedure ${(b.batched.ms / 1000).toFixed(1)} s (slowest batch ${fmt(b.batched.slowestBatchMs)} ms), ${b.ratio.toFixed(2)}x the reference (${(b.reference.ms / 1000).toFixed(1)} s, no trigger, no foreign key).`
      : `Backfill of ${b.posts.toLocaleString('en-US')} posts: batched ${Math.round(b.batched.rowsPerSecond).toLocaleString('en-US')} rows/s (slowest batch ${fmt(b.batched.slowestBatchMs)} ms).`,
    `Whole pack ${total.toFixed(1)} s (${r.pack.map((p) => `${p.name.slice(0, 2)}: ${(p.ms / 1000).toFixed(1)}`).join(', ')} s).`,
    `Targets: ${r.targets.filter((t) => t.pass).length} PASS, ${r.targets.filter((t) => !t.pass).length} MISS (listed in the printed report and the .json). The machine's load average: ${r.machine.loadavgStart[0].toFixed(1)} at the start, ${r.machine.loadavgEnd[0].toFixed(1)} at the end, on ${r.machine.cpus} cores.`,
  ];
  foot.forEach((line, i) => out.push(`<text x="20" y="${plotBottom + 40 + i * 16}" fill="#333">${esc(line)}</text>`));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
