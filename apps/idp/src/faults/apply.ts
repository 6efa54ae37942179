/**
 * Where the fault switches act on the token exchange. Two hooks, called by the grant handler:
 * `beforeIssuance` once the target server is known (slow, server_error, access_denied) and
 * `afterMint` on the freshly minted ID-JAG (typ, aud, expired, missing_jti, unknown_kid). Each firing
 * is a `fault.injected` flow event on the request's trace, so the live view and the client scorecard
 * see exactly which fault hit which request.
 */
import { AccessDenied, type IdJagClaims, TemporarilyUnavailable, TYP_ID_JAG } from '@xaa/protocol';
import { generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import type { IdpContext } from '../context.ts';
import { FAULT_KINDS, type FaultKind, SLOW_DEFAULT_MS, SLOW_MAX_MS, TOKEN_FAULTS } from './catalog.ts';
import { type FaultRule, faultsOf } from './store.ts';

export interface FaultSite {
  traceId: string;
  /** The client at the IdP. */
  client: string;
  /** The target server's name, when resolved. */
  server: string | undefined;
  user?: string;
}

function announce(idp: IdpContext, site: FaultSite, rule: FaultRule, detail: string): void {
  idp.flowLog.emit({
    traceId: site.traceId,
    party: 'idp',
    step: 'fault.injected',
    outcome: 'error',
    summary: `Fault "${rule.kind}" injected: ${detail}`,
    subject: { client: site.client, ...(site.server ? { server: site.server } : {}), ...(site.user ? { user: site.user } : {}) },
    data: { fault: rule.kind, ...(rule.client ? { client: rule.client } : {}), ...(rule.server ? { server: rule.server } : {}) },
    error: { code: rule.kind, description: FAULT_KINDS[rule.kind].effect, specRef: FAULT_KINDS[rule.kind].specRef },
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Before minting: delay, fail with a 5xx, or deny. */
export async function beforeIssuance(idp: IdpContext, site: FaultSite): Promise<void> {
  const fired = faultsOf(idp).take(site.client, site.server, ['slow', 'server_error', 'access_denied']);
  for (const rule of fired.filter((r) => r.kind === 'slow')) {
    const ms = Math.min(Math.max(0, rule.delayMs ?? SLOW_DEFAULT_MS), SLOW_MAX_MS);
    announce(idp, site, rule, `answering after ${ms} ms`);
    await sleep(ms);
  }
  const error = fired.find((r) => r.kind === 'server_error');
  if (error) {
    // A 5xx the client must cope with; 503 rather than 500 so the IdP's own crash log stays for real crashes.
    announce(idp, site, error, 'answering 503 temporarily_unavailable');
    throw new TemporarilyUnavailable('The IdP is temporarily unavailable (injected fault).', { code: 'ERR_FAULT_UNAVAILABLE' });
  }
  const denied = fired.find((r) => r.kind === 'access_denied');
  if (denied) {
    announce(idp, site, denied, 'answering access_denied');
    throw new AccessDenied('The connection policy does not allow this request (injected fault).', {
      code: 'ERR_FAULT_ACCESS_DENIED',
      specRef: 'docs/decisions.md §4',
    });
  }
}

/** After minting: break the ID-JAG the way each fired fault says, re-signing it. */
export async function afterMint(
  idp: IdpContext,
  site: FaultSite,
  minted: { compact: string; claims: IdJagClaims },
): Promise<{ compact: string; claims: IdJagClaims }> {
  const fired = faultsOf(idp).take(site.client, site.server, TOKEN_FAULTS as FaultKind[]);
  if (fired.length === 0) return minted;
  const claims: Record<string, unknown> = { ...minted.claims };
  let typ = TYP_ID_JAG;
  let foreignKey = false;
  for (const rule of fired) {
    switch (rule.kind) {
      case 'typ':
        typ = 'JWT';
        announce(idp, site, rule, 'ID-JAG typ set to "JWT"');
        break;
      case 'aud':
        claims.aud = 'https://wrong-audience.fault.invalid';
        announce(idp, site, rule, 'ID-JAG aud set to https://wrong-audience.fault.invalid');
        break;
      case 'expired':
        claims.iat = minted.claims.iat - 900;
        claims.exp = minted.claims.iat - 600;
        announce(idp, site, rule, 'ID-JAG expired 600 s ago');
        break;
      case 'missing_jti':
        delete claims.jti;
        announce(idp, site, rule, 'ID-JAG jti removed');
        break;
      case 'unknown_kid':
        foreignKey = true;
        announce(idp, site, rule, 'ID-JAG signed with a throwaway key (unknown kid)');
        break;
    }
  }
  const key = foreignKey ? await throwawayKey() : await idp.keys.signingKey();
  const compact = await new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.key);
  return { compact, claims: claims as IdJagClaims };
}

async function throwawayKey() {
  const { privateKey } = await generateKeyPair('ES256');
  return { alg: 'ES256', kid: `fault-${crypto.randomUUID().slice(0, 8)}`, key: privateKey };
}
