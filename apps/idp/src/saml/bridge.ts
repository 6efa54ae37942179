/**
 * One IdP session for both protocols. SAML Web SSO does not get a login of its own: an AuthnRequest
 * that passed its checks is parked (`saml_requests`) and the browser runs an ordinary OIDC
 * authorization-code request (RFC 6749 §4.1, PKCE RFC 7636) of an internal client, `saml-bridge`,
 * whose redirect URI is this IdP's `/saml/resume`. oidc-provider therefore decides, with its one
 * session cookie, whether the user must log in (the same login page, throttle and revocation as
 * OIDC apps), and a sign-in made for a SAML app is the session an OIDC app finds, and the other way
 * round. `/saml/resume` redeems the code in-process (the code model: one use, this client, this
 * redirect URI, the PKCE verifier) to learn who signed in, then answers the SP.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '@xaa/node-kit';
import type { Adapter, AdapterPayload } from 'oidc-provider';

export const SAML_BRIDGE_CLIENT_ID = 'saml-bridge';

export function bridgeClient(issuer: string): AdapterPayload {
  return {
    client_id: SAML_BRIDGE_CLIENT_ID,
    client_name: 'SAML sign-in',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`${issuer}/saml/resume`],
    require_auth_time: true,
  };
}

/** Wraps the directory's client adapter: the bridge client exists for oidc-provider, nowhere else. */
export function withBridgeClient(inner: Adapter, issuer: string): Adapter {
  // One payload object for the bridge client (oidc-provider's `Client` built from it is then reused).
  const bridge = bridgeClient(issuer);
  const find = async (id: string) => (id === SAML_BRIDGE_CLIENT_ID ? bridge : inner.find(id));
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'find') return find;
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** An AuthnRequest that passed intake, waiting for the sign-in (SAML Profiles §4.1.4.1). */
export interface PendingSamlRequest {
  clientId: string;
  entityId: string;
  acs: string;
  requestId: string;
  relayState?: string;
  verifier: string;
  traceId: string;
}

const PENDING_TTL = 600;

export class PendingRequests {
  constructor(
    private readonly db: Db,
    private readonly nowMs: () => number,
  ) {}

  private now() {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Park a request; returns the `state` for the bridge authorization request and the PKCE challenge. */
  park(req: Omit<PendingSamlRequest, 'verifier'>): { state: string; challenge: string } {
    const state = randomBytes(24).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const now = this.now();
    this.db.prepare('DELETE FROM saml_requests WHERE expires_at <= ?').run(now);
    this.db.prepare('INSERT INTO saml_requests (id, record, expires_at) VALUES (?, ?, ?)').run(state, JSON.stringify({ ...req, verifier }), now + PENDING_TTL);
    return { state, challenge: createHash('sha256').update(verifier).digest('base64url') };
  }

  /** Take a parked request (one use). */
  take(state: string): PendingSamlRequest | undefined {
    const row = this.db.prepare('DELETE FROM saml_requests WHERE id = ? AND expires_at > ? RETURNING record').get(state, this.now()) as
      | { record: string }
      | undefined;
    return row ? (JSON.parse(row.record) as PendingSamlRequest) : undefined;
  }

  peek(state: string): PendingSamlRequest | undefined {
    const row = this.db.prepare('SELECT record FROM saml_requests WHERE id = ? AND expires_at > ?').get(state, this.now()) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as PendingSamlRequest) : undefined;
  }
}

export function pkceMatches(verifier: string, challenge: string | undefined): boolean {
  return challenge !== undefined && createHash('sha256').update(verifier).digest('base64url') === challenge;
}
