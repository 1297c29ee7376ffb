// The import graph, read from the source (no database): no cycle between files, and every import
// points down: app (the app's own code, standalone) < lib < migrations, seeds, harness, bench.
// lib is the shared bottom every folder builds on, and those four import only from it (and app,
// the app's modules they run), never from each other; no test imports bench/.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../lib/sql.ts';

const LAYER: Record<string, number> = { app: 0, lib: 1, migrations: 2, seeds: 2, harness: 2, bench: 2 };
/** What each folder may import besides itself: migrations are thin wrappers over lib. */
const ONLY: Record<string, string[]> = {
  app: ['app'],
  lib: ['lib', 'app'],
  migrations: ['migrations', 'lib'],
  seeds: ['seeds', 'lib', 'app'],
  harness: ['harness', 'lib', 'app'],
  bench: ['bench', 'lib', 'app'],
};
/**
 * Imports against those rules that remain, each with its reason; the test fails when one goes away
 * (shrink this list) or a new one appears. None today.
 */
const KNOWN_UPWARD: string[] = [];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** file -> the project files it imports (static and dynamic, relative specifiers only). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of Object.keys(LAYER).flatMap(sources)) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const deps = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+\.ts)'/g)].map((m) => path.normalize(path.join(path.dirname(file), m[1])));
    g.set(file, [...new Set(deps)]);
  }
  return g;
}

const folder = (file: string) => file.split(path.sep)[0];
const isTest = (file: string) => file.includes(`${path.sep}test${path.sep}`) || file.endsWith('.test.ts');

/** Strongly connected components with more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do scc.push((w = stack.pop()!));
      while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('the import graph', () => {
  const g = graph();

  it('has no cycle', () => {
    expect(cycles(g)).toEqual([]);
  });

  it('points down the layers; tests never import bench/', () => {
    const upward: string[] = [];
    for (const [file, deps] of g) {
      for (const dep of deps) {
        const from = folder(file);
        const to = folder(dep);
        const ok = isTest(file)
          ? to !== 'bench'
          : ONLY[from].includes(to) && (to === from || LAYER[to] < LAYER[from]);
        if (!ok) upward.push(`${file} -> ${dep}`);
      }
    }
    expect(upward.sort()).toEqual(KNOWN_UPWARD);
  });

  it('reads every file it checks (the graph is not empty)', () => {
    for (const f of ['lib/settings.ts', 'harness/verify.ts', 'lib/seed/seed.ts', 'bench/run.ts', 'migrations/06_backfill.ts']) expect(g.has(f), f).toBe(true);
    expect(g.get('harness/verify.ts')!.length).toBeGreaterThan(3);
  });
});
