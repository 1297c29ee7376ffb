// Migration 05_transition-sync-triggers: the sync triggers (their behaviour row by row: triggers.test.ts).
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '05_transition-sync-triggers';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
