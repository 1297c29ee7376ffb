// The database handle the model takes: any Drizzle PostgreSQL database or transaction
// (node-postgres, postgres.js, a pool), so the app passes what it already has.
import { randomBytes } from 'node:crypto';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, any>;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** better-auth's id shape (32 characters from a-z, A-Z, 0-9), so the app's ids look like its own. */
export function newId(): string {
  let id = '';
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely
  while (id.length < 32) for (const b of randomBytes(48)) if (b < 248 && id.length < 32) id += ALPHABET[b % 62];
  return id;
}
