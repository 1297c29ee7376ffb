// PG_TARGET=container (harness/container.ts): without a Docker engine, the harness says so in one
// line and exits 2 at once; with one, it starts PostgreSQL in a container.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { withClient } from '../../lib/db.ts';
import { ROOT } from '../../lib/sql.ts';
import { startServer } from '../../lib/target.ts';

/** Independent of testcontainers' own detection: the usual ways a Docker engine is reachable. */
function dockerConfigured(): boolean {
  const home = process.env.HOME ?? '';
  return Boolean(process.env.DOCKER_HOST) ||
    ['/var/run/docker.sock', path.join(home, '.docker/run/docker.sock'), path.join(home, '.docker/desktop/docker.sock'),
      path.join(process.env.XDG_RUNTIME_DIR ?? '/nonexistent', 'docker.sock'), path.join(home, '.testcontainers.properties')]
      .some((p) => fs.existsSync(p));
}

const MESSAGE = /^PG_TARGET=container needs a Docker engine; none is reachable \(.+\)\. Start Docker or set DOCKER_HOST, or unset PG_TARGET to use the embedded PostgreSQL$/;

describe('PG_TARGET=container', () => {
  it.runIf(!dockerConfigured())('without a Docker engine: startServer fails fast with a one-line message', async () => {
    const t0 = performance.now();
    const err = await startServer({ PG_TARGET: 'container', PATH: process.env.PATH, HOME: process.env.HOME }).then(
      () => new Error('a server started without Docker'),
      (e: Error) => e,
    );
    expect(err.message).toMatch(MESSAGE);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it.runIf(!dockerConfigured())('without a Docker engine: make verify prints that one line and exits 2', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PG_TARGET: 'container' };
    delete env.DATABASE_URL;
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['harness/verify.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(code).toBe(2);
    expect(out + err).not.toMatch(/^\s+at /m);
    const lines = (out + err).split('\n').filter((l) => l.includes('Docker engine'));
    expect(lines).toHaveLength(1);
    expect(lines[0].replace(/^verify: /, '')).toMatch(MESSAGE);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  it.runIf(dockerConfigured())('with a Docker engine: starts PostgreSQL in a container and makes scratch databases on it', async () => {
    const server = await startServer({ ...process.env, PG_TARGET: 'container', DATABASE_URL: undefined });
    try {
      expect(server.version).toBe(Number(process.env.PG_VERSION ?? 15));
      const url = await server.createDatabase('imgref_container');
      expect(await withClient(url, async (c) => (await c.query('SELECT current_database() AS d')).rows[0].d)).toMatch(/^imgref_container_/);
      await server.dropDatabase(url);
    } finally {
      await server.stop();
    }
  }, 300_000);
});
