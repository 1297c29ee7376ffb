// The benchmark's SQL files (bench/sql/) and its clients.
import path from 'node:path';
import pg from 'pg';
import { expandFile } from '../lib/sql.ts';

/** A file of bench/sql/, read through the one SQL loader. */
export const benchSql = (name: string): string => expandFile(path.join(import.meta.dirname, 'sql', name));

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
