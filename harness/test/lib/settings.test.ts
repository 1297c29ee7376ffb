// lib/settings.ts: the one parser, the defaults, bad input and exit codes. No database.
import { describe, it, expect } from 'vitest';
import {
  BadInput, EXIT, KNOBS, benchSettings, intSetting, migrateSettings, packVars, parseInteger, posts, DEFAULT_POSTS, flagSetting, sizesSetting,
} from '../../../lib/settings.ts';
import { exitCode } from '../../../lib/errors.ts';

describe('parseInteger: one parser for every integer knob', () => {
  it('accepts whole numbers, _ separators, exponents and k/m suffixes', () => {
    expect(parseInteger('X', '1000')).toBe(1000);
    expect(parseInteger('X', '1_000_000')).toBe(1_000_000);
    expect(parseInteger('X', '1e6')).toBe(1_000_000);
    expect(parseInteger('X', '200k')).toBe(200_000);
    expect(parseInteger('X', '1m')).toBe(1_000_000);
    expect(parseInteger('X', ' 7 ')).toBe(7);
  });

  it('rejects fractions, signs, words and out-of-range values with a message naming the variable', () => {
    for (const raw of ['2.5k', '0.5', '-1', '+3', 'lots', '1,000', '0x10', '']) {
      expect(() => parseInteger('BACKFILL_BATCH_SIZE', raw, 1), raw).toThrow(BadInput);
    }
    expect(() => parseInteger('BACKFILL_BATCH_SIZE', '2.5k', 1)).toThrow('BACKFILL_BATCH_SIZE must be a whole number >= 1, got "2.5k"');
    expect(() => parseInteger('BENCH_PAGE_SIZE', '101', 1, 100)).toThrow('BENCH_PAGE_SIZE must be a whole number from 1 to 100');
    expect(() => parseInteger('X', '1e400')).toThrow(BadInput);
  });
});

describe('defaults: each written once, in KNOBS', () => {
  it('an unset or blank knob gives its KNOBS default', () => {
    expect(packVars({})).toEqual({ batch_size: 1000, pause_ms: 0, target_ms: 100, lock_attempt_ms: 100, lock_wait_ms: 60_000, max_lag_ms: 10_000 });
    expect(packVars({ BACKFILL_BATCH_SIZE: '', BACKFILL_TARGET_MS: '  ' }).batch_size).toBe(KNOBS.BACKFILL_BATCH_SIZE.default);
    const m = migrateSettings({ DATABASE_URL: 'postgres://h/db' });
    expect(m).toMatchObject({ schema: 'public', retries: 5, retryBaseMs: 1000, connectTimeoutMs: 10_000, stopBefore: undefined });
    expect(flagSetting('SEED_OBJ_AWKWARD', {})).toBe(true);
    expect(sizesSetting('AUDIT_BENCH_SIZES', {})).toEqual([10_000, 100_000]);
  });

  it('make backfill, migration 06, preflight and bench read BACKFILL_BATCH_SIZE alike', () => {
    const env = { BACKFILL_BATCH_SIZE: '2k', DATABASE_URL: 'postgres://h/db' };
    expect(packVars(env).batch_size).toBe(2000);
    expect(migrateSettings(env).pack.batch_size).toBe(2000);
    expect(intSetting('BACKFILL_BATCH_SIZE', env)).toBe(2000);
    expect(benchSettings(env).batchSize).toBe(2000);
    // 0 is an error everywhere, never quietly the default.
    for (const read of [() => packVars({ BACKFILL_BATCH_SIZE: '0' }), () => benchSettings({ BACKFILL_BATCH_SIZE: '0' })]) {
      expect(read).toThrow('BACKFILL_BATCH_SIZE must be a whole number >= 1');
    }
    expect(() => benchSettings({ BACKFILL_BATCH_SIZE: '2.5k' })).toThrow(BadInput);
  });

  it('SCALE overrides each command\'s own size; BENCH_POSTS wins over SCALE for make bench', () => {
    expect(posts('verify', {})).toBe(DEFAULT_POSTS.verify);
    expect(posts('online', {})).toBe(DEFAULT_POSTS.online);
    expect(posts('verify', { SCALE: '50k' })).toBe(50_000);
    expect(benchSettings({}).posts).toBe(DEFAULT_POSTS.bench);
    expect(benchSettings({ SCALE: '20k' }).posts).toBe(20_000);
    expect(benchSettings({ SCALE: '20k', BENCH_POSTS: '30k' }).posts).toBe(30_000);
    expect(() => benchSettings({ SCALE: '10' })).toThrow('SCALE must be a whole number >= 1000');
  });
});

describe('bad input', () => {
  it('names the variable in one line', () => {
    expect(() => migrateSettings({})).toThrow('DATABASE_URL is not set: point it at the database to migrate');
    expect(() => migrateSettings({ DATABASE_URL: 'x', MIGRATE_SCHEMA: 'a;b' })).toThrow('MIGRATE_SCHEMA must be a plain schema name');
    expect(() => migrateSettings({ DATABASE_URL: 'x', MIGRATE_RETRIES: '-1' })).toThrow('MIGRATE_RETRIES must be a whole number >= 0, got "-1"');
    expect(() => migrateSettings({ DATABASE_URL: 'x', PGCONNECT_TIMEOUT: '1.5' })).toThrow(/^PGCONNECT_TIMEOUT/);
    expect(() => flagSetting('SEED_CHECK', { SEED_CHECK: 'maybe' })).toThrow('SEED_CHECK must be 1 or 0');
    expect(() => intSetting('PG_VERSION', { PG_VERSION: '15.1' })).toThrow('PG_VERSION must be a whole number >= 1, got "15.1"');
  });
});

describe('exit codes: one set for every CLI', () => {
  it('0 ok, 1 failed, 2 bad input or a server that cannot be reached', () => {
    expect(EXIT).toEqual({ OK: 0, FAILED: 1, BAD_INPUT: 2 });
    expect(exitCode(new BadInput('x'))).toBe(2);
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', '28P01', '3D000', '42P01']) {
      expect(exitCode(Object.assign(new Error('e'), { code })), code).toBe(2);
    }
    expect(exitCode(Object.assign(new Error('e'), { code: '23514' }))).toBe(1);
    expect(exitCode(new Error('boom'))).toBe(1);
  });
});

describe('the README mirrors KNOBS', () => {
  it('lists every knob with its default', async () => {
    const fs = await import('node:fs');
    const { ROOT } = await import('../../../lib/sql.ts');
    const readme = fs.readFileSync(`${ROOT}/README.md`, 'utf8');
    for (const [name, k] of Object.entries(KNOBS)) {
      if (name === 'SCALE') continue; // per command: DEFAULT_POSTS
      const def = k.kind === 'int' ? String(k.default) : k.kind === 'flag' ? (k.default ? '1' : '0') : k.default || 'unset';
      expect(readme, name).toContain(`| \`${name}\` | ${def} |`);
    }
  });
});
