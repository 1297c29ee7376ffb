// lib/plan.ts against the tree, with no database: the plan is the one list of the pack, so it must
// match what node-pg-migrate loads, and every part it names must exist and be sendable.
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { MIGRATIONS_DIR, PHASES, PLAN, firstOf, lastOf, names, partStatements, stepsOf } from '../../../lib/plan.ts';

const vars = { batch_size: 1000, pause_ms: 0, target_ms: 100, lock_attempt_ms: 100, lock_wait_ms: 60000, max_lag_ms: 10000 };

describe('the plan', () => {
  it("lists exactly the migration files node-pg-migrate loads, in its order (file names sorted)", () => {
    const files = fs.readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name.replace(/\.ts$/, '')).sort();
    expect(names()).toEqual(files);
  });

  it('each migration file is the one-line wrapper, and its folder holds the parts the plan names and a verify.sql', () => {
    for (const s of PLAN) {
      const wrapper = fs.readFileSync(path.join(MIGRATIONS_DIR, `${s.name}.ts`), 'utf8');
      expect(wrapper).toMatch(/^export const \{ up, down \} = step\(import\.meta\.url\);$/m);
      const inFolder = fs.readdirSync(path.join(MIGRATIONS_DIR, s.name)).sort();
      const named = [...s.deploy, ...s.revert].map((p) => p.file).concat('verify.sql');
      expect(inFolder.filter((f) => f.endsWith('.sql')).sort()).toEqual([...new Set(named)].sort());
    }
  });

  it('phases run in order: expand, transition, backfill, validate, contract', () => {
    const order = PLAN.map((s) => PHASES.indexOf(s.phase));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(PHASES.map((p) => stepsOf(p).length > 0)).toEqual(PHASES.map(() => true));
    expect(firstOf('contract')).toBe(lastOf('validate') + 1);
  });

  it('concurrent index builds, the backfill and the contracts run outside a transaction; the rest inside one', () => {
    for (const s of PLAN) {
      const notx = [...s.deploy, ...s.revert].some((p) => p.mode !== 'transaction');
      expect(s.transaction, s.name).toBe(!notx);
    }
  });

  it('every part expands (no missing include) and has no :name left unfilled', () => {
    for (const s of PLAN) {
      for (const part of [...s.deploy, ...s.revert]) {
        const sent = partStatements(s.name, part, vars);
        expect(sent.length, `${s.name}/${part.file}`).toBeGreaterThan(0);
        for (const stmt of sent) {
          expect(stmt).not.toMatch(/^\\ir /m);
          expect(stmt.replace(/'[^']*'/g, '')).not.toMatch(/(?<!:):(batch_size|pause_ms|target_ms|lock_attempt_ms|lock_wait_ms|max_lag_ms)\b/);
        }
      }
    }
  });
});
