// lib/sql.ts, the one SQL preprocessor, with no database: comment stripping, splitting on a
// semicolon at a line end, :name integers, psql's \ir includes, and the repair rule of index builds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { expandFile, fileStatements, includeOf, repairTarget, splitStatements, withIntegers } from '../../../lib/sql.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-sql-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (rel: string, text: string): string => {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

describe('splitStatements', () => {
  it('splits at a semicolon that ends a line, and only there', () => {
    expect(splitStatements("SET a = 1;\nSELECT 'x;y' AS v;  \nSELECT 2")).toEqual(['SET a = 1', "SELECT 'x;y' AS v", 'SELECT 2']);
  });

  it('drops whole-line comments first, so a comment ending in a semicolon never splits', () => {
    expect(splitStatements('-- a note;\nSELECT 1;\n  -- indented;\nSELECT 2;')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('keeps a comment after code on the same line, and drops empty statements', () => {
    expect(splitStatements('SELECT 1; -- one\n;\n\n')).toEqual(['SELECT 1; -- one']);
  });
});

describe('withIntegers', () => {
  const vars = { batch_size: 1000, lock_attempt_ms: 100 };

  it('fills in the :names it is given, as psql -v would', () => {
    expect(withIntegers('CALL p(:batch_size, :lock_attempt_ms)', vars)).toBe('CALL p(1000, 100)');
  });

  it('leaves casts, unknown :names and longer names alone', () => {
    expect(withIntegers("SELECT x::int, :other, :batch_size_max, '12:30'", vars)).toBe("SELECT x::int, :other, :batch_size_max, '12:30'");
  });
});

describe('includes (psql \\ir)', () => {
  it('recognizes only a whole \\ir line', () => {
    expect(includeOf('\\ir ../../sql/lib/lock_retry.sql')).toBe('../../sql/lib/lock_retry.sql');
    expect(includeOf('  \\ir x.sql')).toBeUndefined();
    expect(includeOf('-- \\ir x.sql')).toBeUndefined();
  });

  it('expands an include in place, relative to the including file, recursively', () => {
    file('shared/inner.sql', 'SELECT inner;\n');
    file('shared/outer.sql', 'SELECT outer;\n\\ir inner.sql\n');
    const step = file('step/deploy.sql', 'SET LOCAL statement_timeout = 0;\n\\ir ../shared/outer.sql\nSELECT last;\n');
    expect(expandFile(step)).toBe('SET LOCAL statement_timeout = 0;\nSELECT outer;\nSELECT inner;\nSELECT last;\n');
  });

  it('refuses an include cycle, naming it', () => {
    file('cycle/a.sql', '\\ir b.sql\n');
    file('cycle/b.sql', '\\ir a.sql\n');
    expect(() => expandFile(path.join(dir, 'cycle/a.sql'))).toThrow(/include cycle: .*a\.sql -> .*b\.sql -> .*a\.sql/);
  });

  it('run statement by statement, each include is one statement, whole ($$ bodies intact), in file order', () => {
    file('proc/p.sql', 'CREATE PROCEDURE p() LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\nEND\n$$;\n');
    const step = file('proc/deploy.sql', '-- header;\n\\ir p.sql\nSET lock_timeout = :lock_attempt_ms;\nCALL p();\n\\ir p.sql\nRESET lock_timeout;\n');
    expect(fileStatements(step)).toEqual([
      'CREATE PROCEDURE p() LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\nEND\n$$;\n',
      'SET lock_timeout = :lock_attempt_ms',
      'CALL p()',
      'CREATE PROCEDURE p() LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\nEND\n$$;\n',
      'RESET lock_timeout',
    ]);
  });
});

describe('repairTarget (index builds)', () => {
  it('names the index of a DROP INDEX CONCURRENTLY IF EXISTS, unquoted', () => {
    expect(repairTarget('DROP INDEX CONCURRENTLY IF EXISTS posts_image_id_idx')).toBe('posts_image_id_idx');
    expect(repairTarget('drop index concurrently if exists "user_image_id_idx"')).toBe('user_image_id_idx');
  });

  it('is not a repair otherwise: builds, plain drops, other statements', () => {
    expect(repairTarget('CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_image_id_idx ON posts (image_id)')).toBeUndefined();
    expect(repairTarget('DROP INDEX IF EXISTS posts_image_id_idx')).toBeUndefined();
    expect(repairTarget("SET lock_timeout = '30s'")).toBeUndefined();
  });
});
