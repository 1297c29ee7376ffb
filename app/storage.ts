// The app's object-store layer (Phase 3): one place that reads the S3/R2 settings, presigned
// PUT uploads that record the storage row and hand back its id, and a response mapper that turns
// a joined storage file_key into a presigned GET URL. Copy this folder into the app beside its
// Drizzle model layer; it needs only @aws-sdk/client-s3, @aws-sdk/s3-request-presigner and a
// client with pg's query(text, values) shape.
import fs from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** A bad or missing setting: the caller prints the message as one line (exit 2 in the CLIs). */
export class ObjectStoreConfigError extends Error {}

export interface ObjectStoreConfig {
  /** undefined: AWS S3 itself. R2: https://<account>.r2.cloudflarestorage.com */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** path-style URLs (bucket in the path): on for any custom endpoint, which R2 and local servers need */
  forcePathStyle: boolean;
}

/**
 * The only place the settings are read. S3_ENDPOINT (absent: AWS), S3_BUCKET, S3_REGION (default
 * "auto", R2's; AWS needs its real region), S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, or the
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY pair when those are unset. S3_FORCE_PATH_STYLE=0|1
 * overrides the path-style default.
 */
export function objectStoreConfig(env: NodeJS.ProcessEnv = process.env): ObjectStoreConfig {
  const bucket = env.S3_BUCKET?.trim();
  if (!bucket) throw new ObjectStoreConfigError('S3_BUCKET is not set (the bucket to use)');
  const endpoint = env.S3_ENDPOINT?.trim() || undefined;
  if (endpoint) {
    let u: URL;
    try {
      u = new URL(endpoint);
    } catch {
      throw new ObjectStoreConfigError(`S3_ENDPOINT is not a valid URL: ${endpoint}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ObjectStoreConfigError(`S3_ENDPOINT must be http(s): ${endpoint}`);
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ObjectStoreConfigError('S3 credentials are not set (S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)');
  }
  const pathStyle = env.S3_FORCE_PATH_STYLE;
  return {
    endpoint,
    bucket,
    region: env.S3_REGION?.trim() || 'auto',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: pathStyle === undefined || pathStyle === '' ? endpoint !== undefined : pathStyle === '1' || pathStyle === 'true',
  };
}

export interface ObjectStore {
  client: S3Client;
  bucket: string;
}

export function createObjectStore(cfg: ObjectStoreConfig): ObjectStore {
  const client = new S3Client({
    endpoint: cfg.endpoint,
    region: cfg.region,
    forcePathStyle: cfg.forcePathStyle,
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
    // Since @aws-sdk/client-s3 3.729 the SDK adds CRC32 checksum headers by default, which R2
    // answered with 501 NotImplemented; Cloudflare's R2 docs set both options to WHEN_REQUIRED.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // An endpoint that drops packets must fail in seconds, not hang: the SDK has no default.
    requestHandler: { connectionTimeout: 5000, requestTimeout: 120_000 },
  });
  return { client, bucket: cfg.bucket };
}

/** Signs a GET for one object key, valid for expiresIn seconds. */
export type UrlSigner = (key: string, expiresIn: number) => Promise<string>;

export function presignedGetSigner(store: ObjectStore): UrlSigner {
  return (key, expiresIn) => getSignedUrl(store.client, new GetObjectCommand({ Bucket: store.bucket, Key: key }), { expiresIn });
}

/** Anything with pg's query(text, values): a pg.Client, a pg.Pool, a transaction's client. */
export interface Queryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

const INSERT_STORAGE = fs.readFileSync(new URL('./sql/insert-storage.sql', import.meta.url), 'utf8');

/** better-auth's id shape: 32 characters from a-z, A-Z, 0-9. */
export function newStorageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely.
  let id = '';
  while (id.length < 32) for (const b of randomBytes(48)) if (b < 248 && id.length < 32) id += alphabet[b % 62];
  return id;
}

/** The extension the key keeps: lower-case letters and digits only, else none. */
function extensionOf(fileName: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(fileName);
  return m ? '.' + m[1].toLowerCase() : '';
}

/**
 * A new key under the organization's prefix, org/<orgId>/posts/<uuid>.<ext>. The user's file name
 * goes to storage.file_name, never into the key: keys stay ASCII, so they sign and list the same
 * everywhere (the audit still copes with any key a bucket already holds).
 */
export function organizationUploadKey(organizationId: string, fileName: string, uuid: string = randomUUID()): string {
  if (!/^[A-Za-z0-9_-]+$/.test(organizationId)) throw new Error(`organization id ${JSON.stringify(organizationId)} cannot be part of a key`);
  return `org/${organizationId}/posts/${uuid}${extensionOf(fileName)}`;
}

export interface UploadRequest {
  organizationId: string;
  userId: string;
  fileName: string;
  contentType: string;
  /** bytes the client will send: signed into the URL, so the PUT must match it */
  size: number;
  /** seconds the PUT URL stays valid (default 900) */
  expiresIn?: number;
  /** the key to use instead of organizationUploadKey()'s (imports, tests) */
  key?: string;
}

export interface UploadTicket {
  /** storage.id: what the app stores in posts.image_id */
  id: string;
  key: string;
  /** PUT the bytes here with the headers below */
  uploadUrl: string;
  headers: { 'content-type': string; 'content-length': string };
  expiresAt: Date;
}

/**
 * Phase 3's upload: signs a PUT for a new key under the organization's prefix, inserts the storage
 * row, and returns the row's id with the URL. Signing comes first so a signing failure leaves no row.
 */
export async function createUpload(db: Queryable, store: ObjectStore, req: UploadRequest): Promise<UploadTicket> {
  if (!Number.isSafeInteger(req.size) || req.size < 0) throw new Error(`size must be a whole number of bytes, got ${req.size}`);
  const expiresIn = req.expiresIn ?? 900;
  const key = req.key ?? organizationUploadKey(req.organizationId, req.fileName);
  const command = new PutObjectCommand({ Bucket: store.bucket, Key: key, ContentType: req.contentType, ContentLength: req.size });
  const uploadUrl = await getSignedUrl(store.client, command, { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) });
  const id = newStorageId();
  const { rows } = await db.query<{ id: string }>(INSERT_STORAGE, [id, key, req.fileName, req.contentType, req.size, req.userId, req.organizationId]);
  return {
    id: rows[0].id,
    key,
    uploadUrl,
    headers: { 'content-type': req.contentType, 'content-length': String(req.size) },
    expiresAt: new Date(Date.now() + expiresIn * 1000),
  };
}

/**
 * The response mapper of Phase 3: for each [keyField, urlField] pair, drops the joined file_key
 * and adds a presigned GET URL (null when the row has no image). Keys never reach the client.
 */
export async function withSignedUrls<T extends Record<string, unknown>, K extends keyof T & string, U extends string>(
  rows: T[],
  fields: ReadonlyArray<readonly [K, U]>,
  sign: UrlSigner,
  expiresIn = 3600,
): Promise<Array<Omit<T, K> & Record<U, string | null>>> {
  return Promise.all(
    rows.map(async (row) => {
      const out: Record<string, unknown> = { ...row };
      for (const [keyField, urlField] of fields) {
        const key = row[keyField];
        delete out[keyField];
        out[urlField] = typeof key === 'string' && key !== '' ? await sign(key, expiresIn) : null;
      }
      return out as Omit<T, K> & Record<U, string | null>;
    }),
  );
}
