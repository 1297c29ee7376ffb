// The posts and the likes are generated in chunks (CHUNK_POSTS posts each) on worker threads, so
// that both cores work: the main thread only streams finished chunks to COPY, in order. A chunk
// draws from PRNG streams of its own (posts.row/<k>, post_likes/<k>, ...), so its bytes depend on
// the options and the chunk size only, never on the number of threads or which one ran it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { copyInto } from '../copy.ts';
import { createContext, type SeedContext } from './context.ts';
import type { People } from './people.ts';
import { likeChunk, likeTasks, type LikeChunk, type LikeEnv, type LikeTask } from './post_likes.ts';
import { postChunk, postTasks, type PostChunk, type PostEdge, type PostEnv, type PostPlan, type PostTask } from './posts.ts';
import type { StorageRows } from './storage.ts';
import type { SeedOptions } from './types.ts';

/** Posts per chunk (and posts per chunk of likes). Part of what the rows are: another size, other rows. */
export const CHUNK_POSTS = 32_768;

/** What a worker gets once: enough to rebuild the context and the people the chunks read. */
export interface ChunkInit {
  options: Omit<SeedOptions, 'onProgress'>;
  people: Pick<People, 'userIds' | 'orgIds' | 'orgMembers' | 'orgJoin'>;
  shareSource: Map<number, number>;
  sourceKey: Map<number, string>;
  tieCount: number;
}

export type ChunkJob = { kind: 'posts'; task: PostTask } | { kind: 'likes'; task: LikeTask };
type ChunkResult = PostChunk | LikeChunk;

export function chunkEnv(init: ChunkInit, ctx: SeedContext = createContext({ ...init.options })): PostEnv & LikeEnv {
  const { orgMembers } = init.people;
  const randomMember = (g: number, r: { int(n: number): number }) => orgMembers[g][r.int(orgMembers[g].length)];
  return { ctx, people: { ...init.people, randomMember }, shareSource: init.shareSource, sourceKey: init.sourceKey, tieCount: init.tieCount };
}

export function runJob(env: PostEnv & LikeEnv, job: ChunkJob): ChunkResult {
  return job.kind === 'posts' ? postChunk(env, job.task) : likeChunk(env, job.task);
}

/** Buffers arrive from a worker as plain Uint8Arrays; pg's COPY writer wants Buffers. */
function asBuffers<R extends ChunkResult>(r: R): R {
  const b = (us: Uint8Array[]) => us.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength));
  return 'posts' in r ? { ...r, posts: b(r.posts), storage: b(r.storage) } : { ...r, text: b((r as LikeChunk).text) };
}

/**
 * A worker thread's entry: Node 20 does not pass tsx's loader hooks on to workers, so a small
 * script loads the TypeScript entry through tsx's API (the same under tsx, vitest and bench).
 */
function workerScript(): string {
  const api = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./chunk-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
}

/** Runs chunk jobs on `threads` workers (0: inline on this thread, the same bytes). */
export class ChunkRunner {
  private next = 0;
  private readonly queues: { resolve(r: ChunkResult): void; reject(e: unknown): void }[][];
  private failed: unknown = null;
  get threads(): number {
    return this.workers.length;
  }

  private constructor(private readonly env: (PostEnv & LikeEnv) | null, private readonly workers: Worker[]) {
    this.queues = workers.map(() => []);
    workers.forEach((w, i) => {
      w.on('message', (r: ChunkResult) => this.queues[i].shift()?.resolve(asBuffers(r)));
      const fail = (e: unknown) => {
        this.failed ??= e;
        for (const q of this.queues) for (const p of q.splice(0)) p.reject(e);
      };
      w.on('error', fail);
      w.on('exit', (code) => {
        if (code !== 0) fail(new Error(`seed worker exited with code ${code}`));
      });
    });
  }

  static create(init: ChunkInit, ctx: SeedContext, threads: number): ChunkRunner {
    if (threads <= 0) return new ChunkRunner(chunkEnv(init, ctx), []);
    const script = workerScript();
    const workers = Array.from({ length: threads }, () => new Worker(script, { eval: true, workerData: init, execArgv: [] }));
    return new ChunkRunner(null, workers);
  }

  run<R extends ChunkResult>(job: ChunkJob): Promise<R> {
    if (this.env) return Promise.resolve(runJob(this.env, job) as R);
    if (this.failed) return Promise.reject(this.failed);
    const i = this.next++ % this.workers.length;
    return new Promise<R>((resolve, reject) => {
      this.queues[i].push({ resolve: resolve as (r: ChunkResult) => void, reject });
      this.workers[i].postMessage(job);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Worker threads by default: one per core from 8 chunks (262,144 posts) up, when a core is idle.
 * Starting a worker (tsx, faker's pools) costs about a second of CPU, more than a small seed's
 * generation; and on a busy machine the workers cost 30-40 % more CPU than the main thread alone
 * and ran no faster (README, "Seeding speed"). Any count gives the same rows.
 */
export function defaultThreads(posts: number, cores = availableParallelism(), load = loadavg()[0]): number {
  if (posts < 8 * CHUNK_POSTS) return 0;
  return load <= cores - 1 ? Math.min(4, cores) : 0;
}

/**
 * Runs the jobs with up to `depth` in flight and hands their results to `consume` in job order.
 * A failure stops the pipeline; jobs still running are left to the runner's close().
 */
export async function inOrder<T, R>(jobs: Iterable<T>, run: (j: T) => Promise<R>, consume: (r: R) => Promise<void>, depth: number): Promise<void> {
  const inFlight: Promise<R>[] = [];
  for (const j of jobs) {
    const p = run(j);
    p.catch(() => {}); // awaited below, in order
    inFlight.push(p);
    if (inFlight.length >= depth) await consume(await inFlight.shift()!);
  }
  while (inFlight.length) await consume(await inFlight.shift()!);
}

/** Chunks generated ahead of the one being sent: each thread busy, memory bounded. */
const depth = (threads: number) => Math.max(2, threads * 2);

function addEdge(into: PostEdge, from: PostEdge): void {
  for (const k of Object.keys(from) as (keyof PostEdge)[]) if (k !== 'sharedKeys') into[k] += from[k];
}

/** Streams the posts; their uploads' storage rows join `storage`'s buffer, in post order. */
export async function copyPosts(ctx: SeedContext, client: pg.ClientBase, runner: ChunkRunner, plan: PostPlan, ids: string[], storage: StorageRows, chunk: number): Promise<void> {
  ctx.progress('posts', 0, ctx.P);
  let done = 0;
  await copyInto(client, ctx.copySql('COPY posts (id, organization_id, user_id, content, image_key, created_at, updated_at) FROM STDIN'), (w) =>
    inOrder(postTasks(ctx, plan, ids, chunk), (task) => runner.run<PostChunk>({ kind: 'posts', task }), async (c) => {
      for (const piece of c.posts) await w.write(piece);
      storage.sink.append(c.storage, c.storageRows);
      addEdge(ctx.edge.posts, c.edge);
      ctx.progress('posts', Math.min(ctx.P, (done += chunk)), ctx.P);
    }, depth(runner.threads)),
  );
  ctx.progress('posts', ctx.P, ctx.P);
}

/** Streams the likes; returns how many. */
export async function copyPostLikes(ctx: SeedContext, client: pg.ClientBase, runner: ChunkRunner, plan: PostPlan, ids: string[], chunk: number): Promise<number> {
  let likes = 0;
  let done = 0;
  ctx.progress('post_likes', 0, ctx.P);
  await copyInto(client, ctx.copySql('COPY post_likes (post_id, user_id, created_at) FROM STDIN'), (w) =>
    inOrder(likeTasks(plan, ids, chunk), (task) => runner.run<LikeChunk>({ kind: 'likes', task }), async (c) => {
      for (const piece of c.text) await w.write(piece);
      likes += c.likes;
      ctx.progress('post_likes', Math.min(ctx.P, (done += chunk)), ctx.P);
    }, depth(runner.threads)),
  );
  ctx.progress('post_likes', ctx.P, ctx.P);
  return likes;
}
