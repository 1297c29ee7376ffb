// Migration 01_expand-columns: posts.image_id and "user".image_id, after the guards (their refusals: production-refusals.test.ts, cli.test.ts).
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '01_expand-columns';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
