// Migration 08_contract-posts: posts' contract: archive, check, drop (its refusal: cli.test.ts).
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '08_contract-posts';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
