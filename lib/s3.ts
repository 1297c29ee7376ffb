// The local S3-compatible server the harness starts, like the embedded PostgreSQL: moto's S3 in
// server mode (lib/s3-server.py), on a free port, in memory, stopped with the harness. Why moto
// and not s3rver: README, "The object store". It needs python3 with moto[server]; the machine
// image ships both. S3_PYTHON picks another interpreter.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createObjectStore, type ObjectStore, type ObjectStoreConfig } from '../app/storage.ts';
import { textSetting } from './settings.ts';

// The SDK warns on Node < 22 about its 2027 releases; this project pins an SDK that runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The server could not start: one line, exit 2 in the CLIs. */
export class S3StartError extends Error {}

export interface PreloadObject {
  key: string;
  size: number;
  contentType: string;
  /** LastModified, ms since the epoch (a PUT cannot backdate it) */
  lastModified: number;
}

export interface LocalS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** the server's process id (the benchmark reads its peak RSS from /proc) */
  pid: number;
  /** the app's settings for this server and bucket: objectStoreConfig() would read the same from env() */
  config(bucket: string): ObjectStoreConfig;
  /** S3_* variables for a child process (the CLIs) */
  env(bucket: string): Record<string, string>;
  /** creates the bucket through the S3 API and returns a client for it */
  createBucket(bucket: string): Promise<ObjectStore>;
  /** bulk-loads objects straight into the server's store (bodies of NUL bytes); returns the count */
  preload(bucket: string, objects: Iterable<PreloadObject> | AsyncIterable<PreloadObject>): Promise<number>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 's3-server.py');

/**
 * Starts moto. auth: true runs it in IAM mode, where it checks signatures (for the bad-credential
 * tests only: that mode breaks presigned URLs and encoded keys).
 */
export async function startS3(opts: { auth?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<LocalS3> {
  const env = opts.env ?? process.env;
  const python = textSetting('S3_PYTHON', env);
  const port = await freePort();
  const child = spawn(python, [SCRIPT, String(port), ...(opts.auth ? ['--auth'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  const closed = new Promise((r) => child.once('close', r));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = readline.createInterface({ input: child.stdout! });
  const iter = lines[Symbol.asyncIterator]();
  const failed = (why: string) =>
    new S3StartError(`the local S3 server (moto, ${python}) did not start: ${why}${/No module named/.test(stderr) ? ' (install it: pip install "moto[server]")' : ''}`);
  const first = await Promise.race([
    iter.next(),
    new Promise<never>((_, reject) => child.once('error', (e) => reject(failed((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${python} not found` : e.message)))),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(failed(lastLine(stderr) || `exited with ${code}`)))),
    new Promise<never>((_, reject) => setTimeout(() => reject(failed('no answer in 30 s')), 30_000).unref()),
  ]).catch((e) => {
    child.kill();
    throw e;
  });
  if ((first as IteratorResult<string>).done) {
    // stdout closed before the first line: the server died; its stderr says why once it closes too.
    await closed;
    throw failed(lastLine(stderr) || `exited with ${child.exitCode}`);
  }
  const info = JSON.parse((first as IteratorResult<string>).value) as { endpoint: string; accessKeyId: string; secretAccessKey: string };
  return localApi(child, iter, info);
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

function localApi(child: ChildProcess, replies: AsyncIterator<string>, info: { endpoint: string; accessKeyId: string; secretAccessKey: string }): LocalS3 {
  const region = 'us-east-1';
  const api: LocalS3 = {
    ...info,
    region,
    pid: child.pid!,
    config: (bucket) => ({ endpoint: info.endpoint, bucket, region, accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey, forcePathStyle: true }),
    env: (bucket) => ({ S3_ENDPOINT: info.endpoint, S3_BUCKET: bucket, S3_REGION: region, S3_ACCESS_KEY_ID: info.accessKeyId, S3_SECRET_ACCESS_KEY: info.secretAccessKey }),
    async createBucket(bucket) {
      const store = createObjectStore(api.config(bucket));
      await store.client.send(new CreateBucketCommand({ Bucket: bucket }));
      return store;
    },
    async preload(bucket, objects) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-s3-'));
      const file = path.join(dir, 'objects.jsonl');
      try {
        const out = fs.createWriteStream(file);
        for await (const o of objects) {
          if (!out.write(JSON.stringify({ k: o.key, s: o.size, t: o.contentType, m: o.lastModified }) + '\n')) {
            await new Promise<void>((r) => out.once('drain', () => r()));
          }
        }
        await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
        child.stdin!.write(JSON.stringify({ cmd: 'preload', bucket, file }) + '\n');
        const r = await replies.next();
        const reply = JSON.parse(r.value ?? '{"ok":false,"error":"the server exited"}') as { ok: boolean; n?: number; error?: string };
        if (!reply.ok) throw new Error(`preload into ${bucket} failed: ${reply.error}`);
        return reply.n!;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return; // exited, or killed below (a big store takes over 5 s to exit)
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return api;
}
