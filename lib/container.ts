// PG_TARGET=container: the harness against PostgreSQL in a container (testcontainers), for
// machines with a Docker engine. PG_VERSION picks the image (postgres:<major>-alpine; PG_IMAGE
// overrides it). The engine is looked for first: without one this fails in well under a second
// with a one-line message, instead of a pull or a start timeout.
import { attachServer, EMBEDDED_VERSIONS, type Server } from './server.ts';
import { intSetting, textSetting, type Env } from './settings.ts';
import { ServerStartError } from './embedded.ts';

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export async function startContainer(env: Env = process.env): Promise<Server> {
  const version = intSetting('PG_VERSION', env);
  const given = textSetting('PG_IMAGE', env);
  if (!given && !EMBEDDED_VERSIONS[version]) {
    throw new ServerStartError(`PG_VERSION=${version} is not available; choose one of ${Object.keys(EMBEDDED_VERSIONS).join(', ')}`);
  }
  const image = given || `postgres:${version}-alpine`;

  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    // Tries what testcontainers supports: DOCKER_HOST, ~/.testcontainers.properties,
    // /var/run/docker.sock, rootless and Docker Desktop sockets.
    await getContainerRuntimeClient();
  } catch (e) {
    throw new Error(
      `PG_TARGET=container needs a Docker engine; none is reachable (${oneLine((e as Error).message ?? String(e))}). ` +
        `Start Docker or set DOCKER_HOST, or unset PG_TARGET to use the embedded PostgreSQL`,
    );
  }

  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(image)
    // The same settings as the embedded server: a throwaway database, many test connections.
    .withCommand(['postgres', '-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off'])
    .start();
  try {
    // The image's POSTGRES_USER is a superuser: scratch databases are created through it.
    const server = await attachServer(container.getConnectionUri(), 'external');
    return {
      ...server,
      async stop() {
        try {
          await server.stop();
        } finally {
          await container.stop();
        }
      },
    };
  } catch (e) {
    await container.stop().catch(() => {});
    throw e;
  }
}
