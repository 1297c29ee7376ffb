// node-pg-migrate's view of a plan step: migrations/<name>.ts is `export const { up, down } =
// step(import.meta.url);`, and this sends the step's parts (lib/plan.ts) through the builder.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationBuilder } from 'node-pg-migrate';
import { type Part, partStatements, stepNamed } from './plan.ts';
import { repairTarget, sqlText } from './sql.ts';
import { packVars } from './settings.ts';

type Direction = (pgm: MigrationBuilder) => Promise<void>;

/** The invalid indexes of the current schema: the repairs an index-builds part may send. */
async function invalidIndexes(pgm: MigrationBuilder): Promise<Set<string>> {
  return new Set((await pgm.db.select(sqlText('lib/invalid_indexes.sql'))).map((r: { name: string }) => r.name));
}

async function send(pgm: MigrationBuilder, name: string, parts: Part[], transaction: boolean): Promise<void> {
  // An empty down stays transactional, as an empty function: a no-transaction migration would
  // make the runner split a --single-transaction run around it for nothing.
  if (!transaction && parts.length > 0) pgm.noTransaction();
  const vars = packVars(); // read once per run: every part of a step sees the same settings
  for (const part of parts) {
    const invalid = part.mode === 'index-builds' ? await invalidIndexes(pgm) : undefined;
    for (const stmt of partStatements(name, part, vars)) {
      const repair = invalid && repairTarget(stmt);
      if (repair && !invalid.has(repair)) continue;
      pgm.sql(stmt);
    }
  }
}

/** up and down for the migration file at `moduleUrl` (its name is the plan step's name). */
export function step(moduleUrl: string): { up: Direction; down: Direction } {
  const name = path.basename(fileURLToPath(moduleUrl)).replace(/\.ts$/, '');
  const s = stepNamed(name);
  return {
    up: (pgm) => send(pgm, name, s.deploy, s.transaction),
    down: (pgm) => send(pgm, name, s.revert, s.transaction),
  };
}
