// A seed worker thread (lib/seed/tables/chunks.ts): generates the chunks it is sent, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { chunkEnv, runJob, type ChunkInit, type ChunkJob } from './chunks.ts';

const env = chunkEnv(workerData as ChunkInit);
parentPort!.on('message', (job: ChunkJob) => parentPort!.postMessage(runJob(env, job)));
