// Migration 02_expand-storage-indexes: the storage indexes, built concurrently.
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '02_expand-storage-indexes';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
