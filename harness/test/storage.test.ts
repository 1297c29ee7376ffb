// Issue 10, item 3 (and item 1's settings): the app's object-store layer against the real local
// S3 server. Every upload goes through a presigned PUT and every check fetches the object back
// through a presigned GET, comparing bytes.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUpload, objectStoreConfig, ObjectStoreConfigError, organizationUploadKey, presignedGetSigner, withSignedUrls } from '../../app/storage.ts';
import { awkwardKeys } from '../../lib/seed/objects.ts';
import { sqlText } from '../../lib/sql.ts';
import { baselineDb, connect } from './db.ts';
import { freshBucket } from './s3.ts';
import { startS3, S3StartError } from '../../lib/s3.ts';

async function appDb() {
  const c = await connect(await baselineDb());
  await c.query(`INSERT INTO organization (id, name, slug, created_at) VALUES ('org1', 'Org', 'org1', now())`);
  await c.query(`INSERT INTO "user" (id, name, email) VALUES ('u1', 'U', 'u@example.com')`);
  await c.query(`INSERT INTO member (id, organization_id, user_id, created_at) VALUES ('m1', 'org1', 'u1', now())`);
  return c;
}

describe('settings come from the environment in one place', () => {
  it('reads S3_* and falls back to AWS_* credentials; path style for custom endpoints', () => {
    const r2 = objectStoreConfig({ S3_ENDPOINT: 'https://acct.r2.cloudflarestorage.com', S3_BUCKET: 'b', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
    expect(r2).toEqual({ endpoint: 'https://acct.r2.cloudflarestorage.com', bucket: 'b', region: 'auto', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true });
    const aws = objectStoreConfig({ S3_BUCKET: 'b', S3_REGION: 'eu-west-1', S3_ACCESS_KEY_ID: 'k2', S3_SECRET_ACCESS_KEY: 's2', AWS_ACCESS_KEY_ID: 'k' });
    expect(aws).toMatchObject({ endpoint: undefined, region: 'eu-west-1', accessKeyId: 'k2', forcePathStyle: false });
  });
  it('refuses a missing bucket, missing credentials and a bad endpoint with one line each', () => {
    expect(() => objectStoreConfig({ S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' })).toThrow(/S3_BUCKET is not set/);
    expect(() => objectStoreConfig({ S3_BUCKET: 'b' })).toThrow(/credentials are not set/);
    expect(() => objectStoreConfig({ S3_BUCKET: 'b', S3_ENDPOINT: 'not a url', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' })).toThrow(ObjectStoreConfigError);
  });
});

describe('the local S3 server', () => {
  it('a missing interpreter, or one without moto, is one clear error', async () => {
    await expect(startS3({ env: { S3_PYTHON: '/nonexistent/python3' } })).rejects.toThrow(/^the local S3 server \(moto, \/nonexistent\/python3\) did not start: \/nonexistent\/python3 not found$/);
    // A python3 without site-packages stands in for one without moto.
    const bare = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'py-')), 'python3');
    fs.writeFileSync(bare, '#!/bin/sh\nexec python3 -S "$@"\n', { mode: 0o755 });
    const err = await startS3({ env: { S3_PYTHON: bare } }).catch((e) => e);
    expect(err).toBeInstanceOf(S3StartError);
    expect(err.message).toMatch(/No module named .*pip install "moto\[server\]"/);
  });
});

describe('upload returns the storage id; download signs the joined key', () => {
  it('presigned PUT under the organization prefix, row inserted, id returned; the file query plus the mapper give a URL that serves the bytes', async () => {
    const { store } = await freshBucket('upload');
    const db = await appDb();
    try {
      const body = randomBytes(3000);
      const ticket = await createUpload(db, store, { organizationId: 'org1', userId: 'u1', fileName: 'Holiday Photo.JPG', contentType: 'image/jpeg', size: body.length });
      expect(ticket.id).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(ticket.key).toMatch(/^org\/org1\/posts\/[0-9a-f-]{36}\.jpg$/);
      const row = (await db.query(`SELECT file_key, file_name, size, organization_id FROM storage WHERE id = $1`, [ticket.id])).rows[0];
      expect(row).toEqual({ file_key: ticket.key, file_name: 'Holiday Photo.JPG', size: '3000', organization_id: 'org1' });
      const put = await fetch(ticket.uploadUrl, { method: 'PUT', body, headers: ticket.headers });
      expect(put.status).toBe(200);

      const file = (await db.query(sqlText('queries/file_by_id.sql'), [ticket.id, 'u1'])).rows;
      const [mapped] = await withSignedUrls(file, [['file_key', 'url']] as const, presignedGetSigner(store), 120);
      expect(mapped).not.toHaveProperty('file_key');
      expect(new URL(mapped.url!).searchParams.get('X-Amz-Expires')).toBe('120');
      const got = await fetch(mapped.url!);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      await db.end();
    }
  });

  it('a row without an image maps to a null URL', async () => {
    const { store } = await freshBucket('nullimg');
    const [r] = await withSignedUrls([{ id: 'p1', image_key: null as string | null }], [['image_key', 'image_url']] as const, presignedGetSigner(store));
    expect(r).toEqual({ id: 'p1', image_url: null });
  });

  it('awkward keys (spaces, NFC and NFD, + and %, over 1,000 bytes, zero bytes) round-trip through signed URLs, byte for byte', async () => {
    const { store } = await freshBucket('awkward');
    const db = await appDb();
    try {
      const keys = [...awkwardKeys('org1'), 'org/org1/posts/empty.png'];
      expect(keys.some((k) => Buffer.byteLength(k) > 1000)).toBe(true);
      expect(keys[1].normalize('NFD')).toBe(keys[2]);
      const sign = presignedGetSigner(store);
      for (const key of keys) {
        const body = key.endsWith('empty.png') ? Buffer.alloc(0) : Buffer.from(`bytes of ${key}`);
        const t = await createUpload(db, store, { organizationId: 'org1', userId: 'u1', fileName: 'x.png', contentType: 'image/png', size: body.length, key });
        const put = await fetch(t.uploadUrl, { method: 'PUT', body, headers: t.headers });
        expect(put.status, key).toBe(200);
        const joined = (await db.query(`SELECT id, file_key FROM storage WHERE id = $1`, [t.id])).rows;
        const [m] = await withSignedUrls(joined, [['file_key', 'url']] as const, sign);
        const got = await fetch(m.url!);
        expect(got.status, key).toBe(200);
        expect(Buffer.from(await got.arrayBuffer()).equals(body), key).toBe(true);
      }
    } finally {
      await db.end();
    }
  });

  it('new keys never carry the user file name', () => {
    expect(organizationUploadKey('org1', 'a b+c%.PNG', '00000000-0000-0000-0000-000000000000')).toBe('org/org1/posts/00000000-0000-0000-0000-000000000000.png');
    expect(() => organizationUploadKey('../x', 'a.png')).toThrow(/cannot be part of a key/);
  });
});
