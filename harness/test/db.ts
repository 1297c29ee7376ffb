// Scratch databases for tests, made from the baseline template; each dropped after its test file.
import { inject, afterAll } from 'vitest';
import pg from 'pg';
import { attachServer, type Server } from '../target.ts';

let server: Server | undefined;
const mine: string[] = [];

afterAll(async () => {
  for (const url of mine.splice(0)) await server?.dropDatabase(url);
});

/** A new database holding the baseline schema (empty tables). */
export async function baselineDb(): Promise<string> {
  server ??= await attachServer(inject('adminUrl'), inject('serverKind'));
  const url = await server.createDatabase('imgref_test', inject('baselineTemplate'));
  mine.push(url);
  return url;
}

/** A new empty database: no baseline. */
export async function emptyDb(): Promise<string> {
  server ??= await attachServer(inject('adminUrl'), inject('serverKind'));
  const url = await server.createDatabase('imgref_empty');
  mine.push(url);
  return url;
}

export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  // A scratch database dropped WITH (FORCE) ends its sessions; that is not a test failure.
  c.on('error', () => {});
  await c.connect();
  return c;
}
