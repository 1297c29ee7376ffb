// Migration 07_validate-foreign-keys: VALIDATE CONSTRAINT.
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '07_validate-foreign-keys';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
