// Migration 06_backfill: image_id filled in committed batches (refusals and retries: migrate-cli.test.ts, production.test.ts).
// Before it, after its up, after its down, and up again, each on a database of its own.
import { describe } from 'vitest';
import { before, walkStates } from './walk.ts';

const NAME = '06_backfill';

describe(NAME, () => {
  walkStates(NAME, before(NAME));
});
