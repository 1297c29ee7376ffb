// make verify with SEED_OBJECTS: a bucket on the local S3 server, filled by seeds/objects.ts, and
// the phase-6 "no broken links" check taken to the bucket: how many posts and users show a
// storage row whose object is missing. The pack must leave that count as it found it. The bucket
// is always the harness's own (never S3_ENDPOINT's): the harness writes only where it created.
import type pg from 'pg';
import type { ObjectStore } from '../app/storage.ts';
import { seedObjects, type ObjectSeedOptions, type ObjectSeedSummary } from '../lib/seed/objects.ts';
import { startS3, type LocalS3 } from '../lib/s3.ts';
import { runAudit } from '../lib/storage-audit.ts';
import { withClient } from '../lib/db.ts';

export interface BucketLinks { posts: number; users: number }

export interface BucketCheck {
  summary: ObjectSeedSummary;
  store: ObjectStore;
  /** posts and users showing a missing object, read from the database and the bucket now */
  count(): Promise<BucketLinks>;
  stop(): Promise<void>;
}

export async function bucketLinks(db: pg.Client, store: ObjectStore, graceMs: number): Promise<BucketLinks> {
  const r = await runAudit(db, store, { graceMs });
  return { posts: r.missing.showingPosts, users: r.missing.showingUsers };
}

export async function startBucketCheck(url: string, opts: ObjectSeedOptions): Promise<BucketCheck> {
  const s3: LocalS3 = await startS3();
  try {
    const bucket = 'imgref-verify';
    const store = await s3.createBucket(bucket);
    // Bodies of at most 4 KiB unless SEED_OBJ_MAX_BYTES says otherwise: the server keeps them in memory.
    const o = { ...opts, maxBytes: opts.maxBytes ?? 4096 };
    const summary = await withClient(url, (c) => seedObjects(c, (objects) => s3.preload(bucket, objects), o));
    return {
      summary,
      store,
      count: () => withClient(url, (c) => bucketLinks(c, store, opts.graceMs)),
      stop: () => s3.stop(),
    };
  } catch (e) {
    await s3.stop();
    throw e;
  }
}
