// Runs the stock node-pg-migrate CLI, as a DBA would.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../lib/sql.ts';

export const CLI = path.join(ROOT, 'node_modules/.bin/node-pg-migrate');

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; out: string; ms: number }

export function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliResult> } {
  const t0 = performance.now();
  const dir = args.includes('-m') ? [] : ['-m', 'migrations']; // a test may name migrations/opt-in
  const child = spawn(CLI, [...args, ...dir], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, ms: performance.now() - t0 })),
  );
  return { child, done };
}

export function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).done;
}

export interface MigrateCliRun { code: number | null; stdout: string; stderr: string }

/**
 * `tsx harness/migrate-cli.ts ...` (make migrate). The knobs it reads start unset, so a test sees
 * only what it passes; onStderr sees the output as it comes.
 */
export function migrateCli(
  args: string[],
  env: Record<string, string | undefined>,
  onStderr?: (soFar: string) => void,
): Promise<MigrateCliRun> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['harness/migrate-cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: undefined, STOP_BEFORE: undefined, MIGRATE_RETRIES: undefined, MIGRATE_SCHEMA: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
