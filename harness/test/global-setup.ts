// One PostgreSQL for the whole run (embedded, or DATABASE_URL), plus a template database with
// the baseline loaded, so each test gets a fresh scratch database in milliseconds.
import type { TestProject } from 'vitest/node';
import { databaseOf } from '../../lib/db.ts';
import { startServer, loadBaseline, ServerStartError, type Server } from '../../lib/target.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    serverKind: 'embedded' | 'external';
    baselineTemplate: string;
  }
}

let server: Server | undefined;

export async function setup(project: TestProject) {
  try {
    server = await startServer();
  } catch (e) {
    if (!(e instanceof ServerStartError)) throw e;
    // One line, not a stack trace: the suite cannot run without its server.
    process.stderr.write(`make test: ${e.message}\n`);
    process.exit(2);
  }
  const template = await server.createDatabase('imgref_template');
  await loadBaseline(template);
  project.provide('adminUrl', server.adminUrl);
  project.provide('serverKind', server.kind);
  project.provide('baselineTemplate', databaseOf(template));
}

export async function teardown() {
  await server?.stop();
}
