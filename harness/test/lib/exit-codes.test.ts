// One set of exit codes for every CLI (lib/settings.ts EXIT, lib/errors.ts exitCode): a host that
// accepts the connection and never answers times out after PGCONNECT_TIMEOUT in make migrate and
// make preflight alike, with one line and exit 2. No database: the "server" is a silent socket.
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../lib/sql.ts';

let silent: net.Server;
let port = 0;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  silent = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

/** Runs a CLI; a CLI still running after 90 s is killed (exit null): it hung on the silent host. */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, BACKFILL_BATCH_SIZE: undefined, MIGRATE_SCHEMA: undefined, STOP_BEFORE: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(kill);
    resolve({ code, stderr });
  }));
}

describe('a host that never answers', () => {
  it('make migrate and make preflight both give up after PGCONNECT_TIMEOUT: one line, exit 2', async () => {
    const env = { DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/db`, PGCONNECT_TIMEOUT: '1' };
    const [migrate, preflight] = await Promise.all([run('harness/migrate-cli.ts', ['up'], env), run('harness/preflight.ts', [], env)]);
    for (const r of [migrate, preflight]) {
      expect(r.stderr.trim().split('\n')).toEqual([`error: timed out connecting to PostgreSQL at 127.0.0.1:${port}`]);
      expect(r.code).toBe(2);
    }
  });

  it('a bad knob is exit 2 in both, with the same message', async () => {
    const env = { DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/db`, BACKFILL_BATCH_SIZE: '2.5k' };
    const [migrate, preflight] = await Promise.all([run('harness/migrate-cli.ts', ['backfill'], env), run('harness/preflight.ts', [], env)]);
    for (const r of [migrate, preflight]) {
      expect(r.stderr.trim().split('\n')).toEqual(['error: BACKFILL_BATCH_SIZE must be a whole number >= 1, got "2.5k"']);
      expect(r.code).toBe(2);
    }
  });
});
