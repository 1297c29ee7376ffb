// Migration 04_expand-foreign-keys: the foreign keys, NOT VALID.
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '04_expand-foreign-keys';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
