// COPY ... FROM STDIN for node-postgres without pg-copy-streams: a minimal "submittable" query
// (the same hook pg-copy-streams uses) that hands the connection back to us, so we can stream
// CopyData messages and wait for CommandComplete. Works with the pure-JS pg client (pg 8), not
// pg-native, and not in pipeline mode.
import { once } from 'node:events';
import type pg from 'pg';

/** The parts of pg's internal Connection this module uses (public methods, used by pg-copy-streams too). */
interface CopyConnection {
  query(text: string): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
  stream: NodeJS.WritableStream & { writableLength?: number };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  return { promise, resolve, reject };
}

/** Bytes queued on the socket before write() waits for 'drain'. */
const HIGH_WATER = 8 * 1024 * 1024;

class CopyFromQuery {
  readonly text: string;
  callback?: unknown; // pg may attach one; unused
  connection: CopyConnection | null = null;
  error: Error | null = null;
  rowCount = 0;
  readonly started = deferred<void>();
  readonly finished = deferred<number>();

  constructor(text: string) {
    this.text = text;
  }

  submit(connection: pg.Connection): void {
    this.connection = connection as unknown as CopyConnection;
    this.connection.query(this.text);
  }

  handleCopyInResponse(): void {
    this.started.resolve();
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  handleReadyForQuery(): void {
    if (this.error) this.finished.reject(this.error);
    else this.finished.resolve(this.rowCount);
    this.connection = null;
  }

  handleError(err: Error): void {
    // The client has already detached this query; no ReadyForQuery will reach us.
    this.error = err;
    this.started.reject(err);
    this.finished.reject(err);
  }

  // Not expected for COPY FROM; present so pg never calls a missing method.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

export interface CopyWriter {
  /** Sends COPY text-format data (whole lines). Waits when the socket buffer is full. */
  write(data: string | Buffer): Promise<void>;
  /** Ends the COPY; resolves with the row count the server reports. */
  end(): Promise<number>;
  /** Cancels the COPY (CopyFail) so the connection can take the next query, e.g. ROLLBACK. */
  abort(reason: string): Promise<void>;
}

/** Starts `COPY <table> (<cols>) FROM STDIN` on client and returns a writer for its data. */
export async function copyFrom(client: pg.ClientBase, sql: string): Promise<CopyWriter> {
  const q = new CopyFromQuery(sql);
  client.query(q);
  await q.started.promise;
  const conn = q.connection!;
  let ended = false;
  return {
    async write(data: string | Buffer) {
      if (q.error) throw q.error;
      if (ended) throw new Error('COPY already ended');
      if (data.length === 0) return;
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      const stream = conn.stream;
      // A CopyData message is 'd', its length, the bytes: written as is, where pg's
      // sendCopyFromChunk would first copy every chunk into a message buffer of its own.
      const header = Buffer.allocUnsafe(5);
      header[0] = 0x64;
      header.writeInt32BE(chunk.length + 4, 1);
      stream.write(header);
      stream.write(chunk);
      if ((stream.writableLength ?? 0) > HIGH_WATER) {
        await Promise.race([once(stream, 'drain'), q.finished.promise]);
        if (q.error) throw q.error;
      } else {
        // Let the event loop flush the socket so the server works while we generate.
        await new Promise<void>((r) => setImmediate(r));
      }
    },
    async end() {
      if (q.error) throw q.error;
      ended = true;
      conn.endCopyFrom();
      return q.finished.promise;
    },
    async abort(reason: string) {
      if (ended || q.error) return;
      ended = true;
      conn.sendCopyFail(reason);
      await q.finished.promise.catch(() => {});
    },
  };
}

/**
 * Runs `sql` (a COPY ... FROM STDIN), lets fill() write the data, ends the COPY and returns the
 * server's row count. When fill() throws, the COPY is cancelled first, so the connection is usable.
 */
export async function copyInto(client: pg.ClientBase, sql: string, fill: (w: CopyWriter) => Promise<void>): Promise<number> {
  const w = await copyFrom(client, sql);
  try {
    await fill(w);
  } catch (e) {
    await w.abort(`client error: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  return w.end();
}

/** Escapes a value for COPY text format; null becomes \N. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPE_RE, escapeChar) : v;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPE_RE = /[\\\t\n\r]/g;
function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    default:
      return '\\r';
  }
}
