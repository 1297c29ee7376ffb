// A seed worker thread (lib/seed/tables/chunks.ts): generates the chunks it is sent, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { chunkEnv, runJob, type ChunkInit, type ChunkJob } from './chunks.ts';

const env = chunkEnv(workerData as ChunkInit);
parentPort!.on('message', (job: ChunkJob) => {
  const r = runJob(env, job);
  // The text's pieces are Buffers of their own (Sink allocates each): moved, not copied.
  const pieces = 'posts' in r ? [...r.posts, ...r.storage] : r.text;
  parentPort!.postMessage(r, [...new Set(pieces.map((b) => b.buffer as ArrayBuffer))]);
});
