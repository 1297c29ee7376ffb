// The arithmetic behind make migrate's retries and make preflight's batch count, with no database.
import { describe, it, expect } from 'vitest';
import { backoffMs } from '../../../lib/random.ts';
import { expectedBatches } from '../../preflight.ts';

describe('backoffMs: exponential backoff with full jitter, capped at 30 s', () => {
  it('the ceiling doubles with each attempt, from the base', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 1000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('full jitter: a uniform share of the ceiling, from 0 up', () => {
    expect(backoffMs(2, 1000, () => 0)).toBe(0);
    expect(backoffMs(2, 1000, () => 0.25)).toBe(1000);
  });

  it('never more than 30 s, however many attempts', () => {
    expect(backoffMs(10, 1000, () => 1)).toBe(30_000);
    expect(backoffMs(60, 1000, () => 0.5)).toBe(15_000);
  });

  it('a base of 0 retries at once', () => {
    expect(backoffMs(5, 0, () => 1)).toBe(0);
  });
});

describe('expectedBatches: batches of whole heap pages, as the batch driver cuts them', () => {
  it('a batch takes as many whole pages as fit in the batch size', () => {
    // 100 rows a page, batches of 1000 rows: 10 pages a batch; 25 pages need 3 batches
    expect(expectedBatches(25, 100, 1000)).toBe(3);
    expect(expectedBatches(20, 100, 1000)).toBe(2);
  });

  it('at least one page a batch, even when a page holds more rows than a batch', () => {
    expect(expectedBatches(7, 500, 100)).toBe(7);
  });

  it('an empty table needs no batch', () => {
    expect(expectedBatches(0, 100, 1000)).toBe(0);
  });
});
