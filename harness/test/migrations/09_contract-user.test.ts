// Migration 09_contract-user: the user contract: archive, check, drop.
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '09_contract-user';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
