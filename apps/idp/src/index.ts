/**
 * @xaa/idp — Acme Workforce, the simulated enterprise IdP: OIDC SSO, token exchange → ID-JAG under
 * connection policies, central revocation, admin API and audit. `start()` runs it as a function
 * (docs/contracts.md "Apps are functions"); `main.ts` runs it as a process.
 */
import { join } from 'node:path';
import { FlowLog, listen, openDatabase } from '@xaa/node-kit';
import { pruneExpired } from '@xaa/node-kit/oidc-host';
import { newTrace, type SigningAlgorithm } from '@xaa/protocol';
import type { Topology } from '@xaa/topology';
import { createApp, requestHandler } from './app.ts';
import { AuditLog } from './audit.ts';
import { defaults, type IdpOptions, KEY_OVERLAP_SECONDS } from './config.ts';
import type { IdpContext } from './context.ts';
import { DirectoryStore } from './db/directory.ts';
import { migrations } from './db/schema.ts';
import { KeyStore } from './keys/key-store.ts';
import { adminResources } from './provider/configuration.ts';
import { createProviderHost } from './provider/host.ts';
import { revokeUser } from './revocation.ts';
import { samlFor } from './saml/service.ts';
import { ensureSignInApps, isEmpty, seed, wipe } from './seed.ts';

export type { IdpOptions } from './config.ts';
export { defaults } from './config.ts';
export type { AppRecord, ConnectionRecord, ServerRecord, UserRecord } from './db/directory.ts';
export { seededUserId } from './seed.ts';

export interface RunningIdp {
  /** Issuer identifier (no trailing slash). */
  issuer: string;
  /** Base URL (= issuer). */
  url: string;
  port: number;
  /** This IdP's admin API base URL (`${issuer}/admin`). */
  admin: string;
  /** Every admin-API resource the IdP issues tokens for. */
  adminResources: string[];
  flowLog: FlowLog;
  directory: DirectoryStore;
  keys: KeyStore;
  /** Rotate the signing key (optionally switching algorithm); the old key stays published for the overlap window. */
  rotateKeys(alg?: SigningAlgorithm): Promise<string>;
  /** Central revocation of one user (by id or username). */
  revokeUser(user: string, reason?: string): number;
  /** Wipe the directory, sessions and audit and reseed from the topology (keys are kept). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

function openIdpDatabase(dataDir: string) {
  return openDatabase(join(dataDir, 'idp.db'), migrations);
}

export async function start(options: IdpOptions): Promise<RunningIdp> {
  const { topology } = options;
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? topology.idp.port;

  // Listen first: with port 0 the issuer depends on the port we get.
  let handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.setHeader('retry-after', '1');
    res.end();
  };
  const server = await listen((req, res) => handler(req, res), requestedPort, host, 'idp');
  // The topology's issuer when we listen on its port; otherwise the same host with the port we got.
  const issuer = (options.issuer ?? (server.port === topology.idp.port ? topology.idp.issuer : `http://${topology.host}:${server.port}`)).replace(/\/+$/, '');

  let db: ReturnType<typeof openIdpDatabase> | undefined;
  try {
    db = openIdpDatabase(options.dataDir);
    const directory = new DirectoryStore(db, now);
    const keys = new KeyStore(db, now, KEY_OVERLAP_SECONDS);
    const current = keys.current();
    await keys.ensure(options.signingAlg ?? current?.alg ?? 'ES256');
    if (isEmpty(db)) await seed(directory, topology);
    ensureSignInApps(directory, topology);

    const audit = new AuditLog(db);
    const flowLog = new FlowLog({ capacity: defaults.eventCapacity, redact: options.redact ?? false, persist: (e) => audit.append(e) });

    let hostRef: ReturnType<typeof createProviderHost> | undefined;
    const idp: IdpContext = {
      issuer,
      adminAudience: `${issuer}/admin`,
      topology,
      db,
      directory,
      keys,
      flowLog,
      now,
      quiet: options.quiet ?? false,
      provider: () => (hostRef as ReturnType<typeof createProviderHost>).current(),
      rebuildProvider: () => hostRef?.rebuild(),
      auditWritten: () => audit.whenWritten(),
    };
    hostRef = createProviderHost(idp);
    const app = createApp(idp, hostRef, audit);
    if (options.samlWarmUp) await samlFor(idp).keys.current();
    handler = requestHandler(app, hostRef);

    const openDb = db;
    pruneExpired(openDb, Math.floor(now() / 1000));
    const pruner = setInterval(() => {
      if (!openDb.open) return;
      pruneExpired(openDb, Math.floor(now() / 1000));
      audit.prune(defaults.auditMaxRows);
    }, 60_000);
    pruner.unref();

    if (!options.quiet) console.log(`[idp] Acme Workforce IdP at ${issuer} (signing ${keys.current()?.alg}, data ${options.dataDir})`);

    let closed = false;
    return {
      issuer,
      url: issuer,
      port: server.port,
      admin: idp.adminAudience,
      adminResources: adminResources(idp),
      flowLog,
      directory,
      keys,
      rotateKeys: async (alg) => {
        const k = await keys.rotate(alg);
        idp.rebuildProvider();
        return k.kid;
      },
      revokeUser: (user, reason = 'revoked') => {
        const u = directory.resolveUser(user);
        return u ? revokeUser(idp, u.id, reason, 'system', newTrace().traceId) : 0;
      },
      reset: async () => {
        wipe(openDb);
        await seed(directory, topology);
        flowLog.clear();
        idp.rebuildProvider();
      },
      close: async () => {
        if (closed) return;
        closed = true;
        clearInterval(pruner);
        await server.close();
        audit.close();
        openDb.close();
      },
    };
  } catch (e) {
    await server.close();
    db?.close();
    throw e;
  }
}

/** Wipe and reseed an IdP database that is not running (e.g. `xaa reset`). Signing keys are kept. */
export async function resetIdp(options: { topology: Topology; dataDir: string }): Promise<void> {
  const db = openIdpDatabase(options.dataDir);
  try {
    wipe(db);
    await seed(new DirectoryStore(db), options.topology);
  } finally {
    db.close();
  }
}
