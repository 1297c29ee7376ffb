// The benchmark's SQL files (bench/sql/) and its clients.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export function benchSql(name: string): string {
  return fs.readFileSync(path.join(import.meta.dirname, 'sql', name), 'utf8');
}

// timestamptz stays text: a feed cursor must go back to the server exactly (a JS Date keeps
// milliseconds only; see sql/queries/feed.sql).
const TIMESTAMPTZ = 1184;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, types });
  await c.connect();
  return c;
}
