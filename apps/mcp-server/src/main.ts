/**
 * Run the sample MCP servers as a process. The only file that reads the environment:
 *   XAA_DATA_DIR        data directory (default .data)
 *   XAA_HOST            hostname in URLs (default localhost)
 *   XAA_BASE_PORT       first port of the topology (default 4000; servers at +101…)
 *   XAA_LISTEN_HOST     listen address (default 127.0.0.1; 0.0.0.0 in containers)
 *   XAA_SERVERS         comma-separated server names to run (default all)
 *   XAA_REDACT          1 = signature-stripped tokens in the live view
 *   XAA_TRUSTED_ISSUER  an extra IdP every ID-JAG server trusts (e.g. another playground's IdP when
 *                       these servers play "your" server in front of it), with XAA_TRUSTED_JWKS
 *                       (default <issuer>/jwks)
 */
import { loadTopology } from '@xaa/topology';
import { start } from './index.ts';

const env = process.env;
const dataDir = env.XAA_DATA_DIR ?? '.data';
const topology = loadTopology({
  dataDir,
  ...(env.XAA_HOST ? { host: env.XAA_HOST } : {}),
  ...(env.XAA_BASE_PORT ? { basePort: Number(env.XAA_BASE_PORT) } : {}),
});

console.warn('[mcp-server] The sample servers accept the seeded demo users with the password "demo" on their classic login page. Local playground only.');
try {
  const running = await start({
    topology,
    dataDir,
    host: env.XAA_LISTEN_HOST ?? '127.0.0.1',
    ...(env.XAA_SERVERS
      ? {
          servers: env.XAA_SERVERS.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    redact: env.XAA_REDACT === '1',
    ...(env.XAA_TRUSTED_ISSUER
      ? { extraTrustedIssuers: [{ issuer: env.XAA_TRUSTED_ISSUER, jwks_uri: env.XAA_TRUSTED_JWKS ?? `${env.XAA_TRUSTED_ISSUER}/jwks` }] }
      : {}),
  });
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (e) {
  console.error(`[mcp-server] ${(e as Error).message}`);
  process.exit(1);
}
