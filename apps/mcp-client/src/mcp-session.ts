/**
 * The MCP session on top of the legs: the official SDK's `Client` over Streamable HTTP, with the
 * SDK's `CrossAppAccessProvider` as auth provider. The provider is seeded with the access token the
 * legs obtained, so a session starts without a round trip; when the server answers 401 (the token
 * expired or was revoked) the SDK re-runs discovery and the jwt-bearer grant, asking our `assertion`
 * callback — leg 2 — for a *fresh* ID-JAG every time (EMA §7.4.2); on a 403
 * `insufficient_scope` it runs one step-up exchange with the union of scopes (MCP-AUTHZ, #65).
 */
import {
  Client,
  type CrossAppAccessContext,
  CrossAppAccessProvider,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthTokens,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { EMA_EXTENSION_ID } from '@xaa/protocol';
import type { AppRegistration } from './config.ts';
import type { FetchLike } from './http.ts';

export const AGENT_INFO = { name: 'xaa-playground-agent', version: '0.1.0' } as const;

/** What leg 2 hands back to the provider: the ID-JAG and the scope the IdP actually granted. */
export interface Assertion {
  idJag: string;
  grantedScope: string | undefined;
}

export interface AgentProviderOptions {
  registration: AppRegistration;
  /** The AS issuer these credentials belong to (SEP-2352 stamp; MCP-AUTHZ #68). */
  asIssuer: string;
  fetch: FetchLike;
  assertion: (ctx: CrossAppAccessContext) => Promise<Assertion>;
  initial?: StoredOAuthTokens | undefined;
  onTokens?: (tokens: StoredOAuthTokens) => void | Promise<void>;
  /**
   * The discovery the agent already did (PRM + AS metadata), handed to the SDK so its re-auth skips
   * its own discovery — whose schema demands an `authorization_endpoint` a jwt-bearer-only AS lacks.
   */
  discovery?: () => Promise<OAuthDiscoveryState | undefined>;
}

/**
 * `CrossAppAccessProvider` with two adjustments: the token is persisted when the SDK renews it, and
 * the jwt-bearer request carries no `scope` — the IdP may narrow the grant silently (docs/decisions.md §4), and
 * asking the AS for more than the ID-JAG holds would be `invalid_scope` (draft-04 §4.4.1).
 */
export class AgentXaaProvider extends CrossAppAccessProvider {
  private readonly onTokens: AgentProviderOptions['onTokens'];
  private readonly discovery: AgentProviderOptions['discovery'];
  private discovered: OAuthDiscoveryState | undefined;

  constructor(options: AgentProviderOptions) {
    super({
      clientId: options.registration.client_id,
      clientSecret: options.registration.client_secret ?? '',
      clientName: 'XAA Playground agent',
      expectedIssuer: options.asIssuer,
      fetchFn: options.fetch,
      assertion: async (ctx) => (await options.assertion(ctx)).idJag,
    });
    this.onTokens = options.onTokens;
    this.discovery = options.discovery;
    if (options.initial) super.saveTokens(options.initial);
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    this.discovered ??= await this.discovery?.();
    return this.discovered;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovered = state;
  }

  override async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    super.saveTokens(tokens);
    await this.onTokens?.(tokens);
  }

  override async prepareTokenRequest(scope?: string): Promise<URLSearchParams> {
    const params = await super.prepareTokenRequest(scope);
    params.delete('scope');
    return params;
  }
}

export interface OpenSession {
  client: Client;
  close(): Promise<void>;
}

/** Connect an MCP client (declaring the EMA extension, MCP extensions). */
export async function openSession(url: string, authProvider: OAuthClientProvider, fetch: FetchLike, options: { stepUp?: boolean } = {}): Promise<OpenSession> {
  const client = new Client(AGENT_INFO, { capabilities: { extensions: { [EMA_EXTENSION_ID]: {} } } });
  // MCP-AUTHZ: one step-up on 403 insufficient_scope; a down-scoped (sub-agent) session takes none.
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    authProvider,
    fetch,
    maxStepUpRetries: 1,
    onInsufficientScope: options.stepUp === false ? 'throw' : 'reauthorize',
  });
  await client.connect(transport);
  return {
    client,
    close: async () => {
      await client.close().catch(() => {});
    },
  };
}
