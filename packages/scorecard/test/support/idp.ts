/** The real playground IdP, in-process on a free loopback port with a temp data directory (the test kit's `startStack`). */
import { type RunningIdp, start } from '@xaa/idp';
import { startStack } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { IdpAdmin } from '../../src/idp.ts';

export interface TestIdp {
  idp: RunningIdp;
  topology: Topology;
  dataDir: string;
  admin: IdpAdmin;
  close(): Promise<void>;
}

export async function startTestIdp(): Promise<TestIdp> {
  const stack = await startStack({
    tmpPrefix: 'xaa-scorecard-',
    parts: { idp: ({ topology, dataDir }) => start({ topology, dataDir, quiet: true }) },
  });
  const { idp, topology, dataDir } = stack;
  return { idp, topology, dataDir, admin: new IdpAdmin({ issuer: idp.issuer, ops: topology.ops }), close: () => stack.close() };
}
