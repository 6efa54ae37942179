/** The real playground IdP, in-process on a free loopback port with a temp data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningIdp, start } from '@xaa/idp';
import { defaultTopology, type Topology } from '@xaa/topology';
import { IdpAdmin } from '../../src/idp.ts';

export interface TestIdp {
  idp: RunningIdp;
  topology: Topology;
  dataDir: string;
  admin: IdpAdmin;
  close(): Promise<void>;
}

export async function startTestIdp(): Promise<TestIdp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xaa-scorecard-'));
  const topology = defaultTopology({ dataDir });
  const idp = await start({ topology, dataDir, port: 0, quiet: true });
  const admin = new IdpAdmin({ issuer: idp.issuer, ops: topology.ops });
  return {
    idp,
    topology,
    dataDir,
    admin,
    close: async () => {
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
