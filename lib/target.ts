// Where the harness runs: an embedded PostgreSQL in a temp dir (default), a container
// (PG_TARGET=container), or the server in DATABASE_URL. Either way all work happens in scratch
// databases the Server creates and drops. lib/server.ts is what every target gives; the targets
// (embedded.ts, container.ts) build on it and this module picks one: no target imports another.
import { withClient } from './db.ts';
import { startEmbedded, ServerStartError } from './embedded.ts';
import { serverApi, serverVersion, type Server } from './server.ts';
import { intSetting, textSetting, type Env } from './settings.ts';
import { sqlText } from './sql.ts';

export { ServerStartError, type Server };

/** PG_TARGET=container: a PostgreSQL container; else DATABASE_URL wins; else an embedded server of PG_VERSION. */
export async function startServer(env: Env = process.env): Promise<Server> {
  if (textSetting('PG_TARGET', env) === 'container') {
    // Loaded only here: testcontainers is a dev dependency and slow to import.
    const { startContainer } = await import('./container.ts');
    return startContainer(env);
  }
  const url = textSetting('DATABASE_URL', env);
  if (url) return serverApi('external', url, await serverVersion(url), async () => {});
  return startEmbedded(intSetting('PG_VERSION', env), textSetting('PG_SHARED_BUFFERS', env), textSetting('PG_LOG', env));
}

/** Loads sql/baseline.sql (the app's schema before the pack) into a scratch database. */
export async function loadBaseline(url: string): Promise<void> {
  await withClient(url, (c) => c.query(sqlText('baseline.sql')));
}
