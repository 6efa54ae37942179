import type { AddServerResult, ServerDiscovery } from '../../api/add-server.ts';

/** A server whose AS is classic only: two findings missing, each with what to change. */
export const notReady: ServerDiscovery = {
  url: 'https://mcp.example.test/mcp',
  ok: false,
  resource: 'https://mcp.example.test/mcp',
  issuer: 'https://as.example.test',
  scopes: ['notes.read'],
  findings: [
    { id: 'prm', label: 'protected resource metadata', status: 'ok', detail: 'resource https://mcp.example.test/mcp', specRef: 'RFC 9728 §2, §3.2' },
    {
      id: 'as.jwt-bearer',
      label: 'jwt-bearer grant',
      status: 'missing',
      detail: 'grant_types_supported is ["authorization_code"]',
      fix: 'At your authorization server: implement the RFC 7523 jwt-bearer grant.',
      specRef: 'RFC 7523 §2.1',
    },
    { id: 'as.trust', label: "trusts the playground IdP's keys", status: 'pending', detail: 'checked by the scorecard', specRef: 'draft-04 §4.4' },
  ],
};

export const ready: ServerDiscovery = { ...notReady, ok: true, findings: notReady.findings.filter((f) => f.status !== 'missing') };

export const added: AddServerResult = {
  server: { name: 'notes', title: 'Notes', issuer: 'https://as.example.test', resource: 'https://mcp.example.test/mcp', scopes: ['notes.read'], created: true },
  app: { client_id: 'acme-agent', title: 'Acme Agent', client_id_at_server: 'acme-agent-at-notes' },
  connection: { scopes: ['notes.read'], audience: { kind: 'all' }, enabled: true, created: true, proposed_only: false },
  configure: {
    trusted_issuer: 'http://localhost:4000',
    jwks_uri: 'http://localhost:4000/jwks',
    id_jag: {
      typ: 'oauth-id-jag+jwt',
      aud: 'https://as.example.test',
      resource: 'https://mcp.example.test/mcp',
      client_id: 'acme-agent-at-notes',
      scopes: ['notes.read'],
    },
    client: {
      client_id: 'acme-agent-at-notes',
      client_secret: 'generated-secret',
      secret_generated: true,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    },
  },
};
