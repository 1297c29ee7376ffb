// One local S3 server (moto) per test file that needs it, and a fresh bucket per use.
import { afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startS3, type LocalS3 } from '../../lib/s3.ts';

let server: Promise<LocalS3> | undefined;

afterAll(async () => {
  if (server) await (await server).stop();
  server = undefined;
});

export function localS3(): Promise<LocalS3> {
  server ??= startS3();
  return server;
}

/** A new empty bucket on the file's server: its name, and a client for it. */
export async function freshBucket(prefix = 'test') {
  const s3 = await localS3();
  const bucket = `${prefix}-${randomBytes(4).toString('hex')}`;
  const store = await s3.createBucket(bucket);
  return { s3, bucket, store };
}
