/**
 * Run the IdP as a process. The only file that reads the environment:
 *   XAA_DATA_DIR      data directory (default .data)
 *   XAA_HOST          hostname in URLs (default localhost)
 *   XAA_BASE_PORT     first port of the topology (default 4000)
 *   XAA_LISTEN_HOST   listen address (default 127.0.0.1; 0.0.0.0 in containers)
 *   XAA_IDP_ISSUER    issuer override (default http://<host>:<base port>)
 *   XAA_SIGNING_ALG   ES256 (default) or RS256
 *   XAA_REDACT        1 = signature-stripped tokens in the live view
 */
import { loadTopology, writeManifest } from '@xaa/topology';
import { start } from './index.ts';

const env = process.env;
const dataDir = env.XAA_DATA_DIR ?? '.data';
const alg = env.XAA_SIGNING_ALG;
if (alg !== undefined && alg !== 'ES256' && alg !== 'RS256') {
  console.error(`XAA_SIGNING_ALG must be ES256 or RS256, not ${alg}.`);
  process.exit(2);
}
const basePort = env.XAA_BASE_PORT === undefined ? undefined : Number(env.XAA_BASE_PORT);
if (basePort !== undefined && (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535 - 400)) {
  console.error(`XAA_BASE_PORT must be a port number (1-${65535 - 400}), not ${env.XAA_BASE_PORT}.`);
  process.exit(2);
}
const topology = loadTopology({
  dataDir,
  ...(env.XAA_HOST ? { host: env.XAA_HOST } : {}),
  ...(basePort !== undefined ? { basePort } : {}),
});
writeManifest(topology);

console.warn('[idp] Demo users (alice, bob, dave, carol) share the password "demo". This IdP is a local playground, not for production.');
try {
  const running = await start({
    topology,
    dataDir,
    host: env.XAA_LISTEN_HOST ?? '127.0.0.1',
    ...(env.XAA_IDP_ISSUER ? { issuer: env.XAA_IDP_ISSUER } : {}),
    ...(alg ? { signingAlg: alg } : {}),
    redact: env.XAA_REDACT === '1',
  });
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (e) {
  console.error(`[idp] ${(e as Error).message}`);
  process.exit(1);
}
