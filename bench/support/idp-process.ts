/**
 * The IdP alone in its own Node process, for suites that compare it with a peer server that also runs
 * in its own process: the bench's load generator then shares an event loop with neither. Prints one
 * JSON line `{ ready, issuer, topology }` on stdout when it listens; SIGTERM closes it.
 * Usage: node <bundle> <dataDir> (the bundle from idp-bundle.ts), or node --import tsx bench/support/idp-process.ts <dataDir>
 */
import { start } from '@xaa/idp';
import { startStack } from '@xaa/testkit';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: idp-process.ts <dataDir>');
const stack = await startStack({ dataDir, parts: { idp: ({ topology, dataDir }) => start({ topology, dataDir, quiet: true }) } });
process.stdout.write(`${JSON.stringify({ ready: true, issuer: stack.idp.issuer, topology: stack.topology })}\n`);
process.once('SIGTERM', () => {
  void stack.close().finally(() => process.exit(0));
});
