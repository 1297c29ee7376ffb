// One-line messages for the failures a user can cause: no stack traces on bad input.
import { BadInput, EXIT } from './settings.ts';

interface PgLikeError {
  code?: string;
  message?: string;
  hint?: string;
  detail?: string;
  address?: string;
  port?: number;
}

export function describeError(err: unknown): string {
  const e = (err ?? {}) as PgLikeError;
  const where = e.address ? `${e.address}${e.port ? ':' + e.port : ''}` : 'the server';
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot reach PostgreSQL at ${where}: connection refused (is DATABASE_URL right, and the server up?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host in DATABASE_URL (${e.message})`;
    case 'ETIMEDOUT':
      return `timed out connecting to PostgreSQL at ${where}`;
    case '28P01':
    case '28000':
      return `PostgreSQL refused the login: ${e.message}`;
    case '3D000':
      return `${e.message} (check the database name in DATABASE_URL)`;
  }
  if (err instanceof Error && /Invalid URL/i.test(err.message)) return `DATABASE_URL is not a valid URL`;
  const msg = e.message ?? String(err);
  // One line: a deadlock's detail, for one, spans a line per process.
  return [msg, e.detail, e.hint ? `hint: ${e.hint}` : undefined].filter(Boolean).join(' — ').replace(/\s*\n\s*/g, ' ');
}

/** SQLSTATE 55P03: lock_not_available, what lock_timeout raises. */
export const isLockTimeout = (err: unknown) => (err as PgLikeError)?.code === '55P03';

/** SQLSTATE 40P01: deadlock_detected; PostgreSQL rolled back our side of the cycle. */
export const isDeadlock = (err: unknown) => (err as PgLikeError)?.code === '40P01';

/** Worth another attempt: the other side of the wait goes away on its own (lock timeout, deadlock). */
export const isRetryable = (err: unknown) => isLockTimeout(err) || isDeadlock(err);

/**
 * The server cannot be reached, or refuses this login or database: input the user must fix
 * (exit 2). One set for every CLI (make migrate, make preflight), so they agree.
 */
export const CONNECTION_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', '28P01', '28000', '3D000',
]);

export const isConnectionFailure = (err: unknown) => CONNECTION_FAILURES.has((err as PgLikeError)?.code ?? '');

/** Errors that mean "this is not the app's database": exit code 2. */
export const isMissingBaseline = (err: unknown) => (err as PgLikeError)?.code === '42P01';

/**
 * The exit code of a failed CLI run, the same in every command: 2 for input the user must fix
 * (a BadInput, a server that cannot be reached in time or refuses the login, a database without
 * the app's tables), 1 for everything else.
 */
export function exitCode(err: unknown): number {
  return err instanceof BadInput || isConnectionFailure(err) || isMissingBaseline(err) ? EXIT.BAD_INPUT : EXIT.FAILED;
}

/** The one line a CLI prints for a failure: a BadInput's own message, else describeError. */
export const errorLine = (err: unknown): string => (err instanceof BadInput ? err.message : describeError(err));
