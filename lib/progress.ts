// A tiny progress reporter for seed()'s onProgress: one redrawing bar on a TTY; plain lines
// (each 10 % step, at most every few seconds otherwise, and at the end of a phase) when stderr is
// not a TTY or CI=true.
import { isCi } from './settings.ts';

export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
}

export interface ProgressReporter {
  onProgress(p: ProgressEvent): void;
  /** Ends the current line (call before printing anything else). */
  finish(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** force bar (true) or plain lines (false); default: stream.isTTY and CI is not "true" */
  tty?: boolean;
  /** plain mode: a line at least this often while a phase runs (ms) */
  everyMs?: number;
  env?: Record<string, string | undefined>;
  /** prefix of plain lines, e.g. 'seed' */
  label?: string;
}

const WIDTH = 28;

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function createProgress(opts: ProgressOptions = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const env = opts.env ?? process.env;
  const ci = isCi(env);
  const tty = opts.tty ?? (Boolean(stream.isTTY) && !ci);
  const everyMs = opts.everyMs ?? 5000;
  const started = Date.now();
  const label = opts.label ?? 'seed';

  let phase = '';
  let phaseStart = 0;
  let lastDraw = 0;
  let lastStep = -1;
  let open = false; // a bar line is on screen without its newline
  let completed = false; // the phase's 100 % is out

  const line = (p: ProgressEvent) => {
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    const pct = (frac * 100).toFixed(0).padStart(3);
    const secs = ((Date.now() - phaseStart) / 1000).toFixed(1);
    return { frac, text: `${p.phase.padEnd(10)} ${pct}% ${fmtCount(p.done)}/${fmtCount(p.total)} ${secs}s` };
  };

  return {
    onProgress(p) {
      const now = Date.now();
      if (p.phase !== phase) {
        if (open) stream.write('\n');
        open = false;
        phase = p.phase;
        phaseStart = now;
        lastDraw = 0;
        lastStep = -1;
        completed = false;
      }
      if (completed) return; // one 100 % per phase
      const { frac, text } = line(p);
      const complete = p.done >= p.total;
      if (tty) {
        if (!complete && now - lastDraw < 100) return;
        lastDraw = now;
        const filled = Math.floor(frac * WIDTH);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${text}\x1b[K`);
        open = true;
        if (complete) {
          stream.write('\n');
          open = false;
          completed = true;
        }
        return;
      }
      const step = Math.floor(frac * 10);
      if (complete || step > lastStep || now - lastDraw >= everyMs) {
        // one line per phase start (0 %), per 10 % step, per everyMs, and at 100 %
        lastStep = step;
        lastDraw = now;
        completed = complete;
        stream.write(`[${label} +${((now - started) / 1000).toFixed(1)}s] ${text}\n`);
      }
    },
    finish() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

/** Shorthand: an onProgress callback for seed(), e.g. seed(c, { onProgress: progressReporter('seed') }). */
export function progressReporter(label = 'seed', opts: Omit<ProgressOptions, 'label'> = {}): (p: ProgressEvent) => void {
  return createProgress({ ...opts, label }).onProgress;
}
