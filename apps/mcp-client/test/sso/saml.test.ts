/**
 * Leg 1 over SAML 2.0 against the real IdP and servers (draft-04 §4.5): SP-initiated Web SSO as Acme
 * Desktop's SP (node-saml validates the Response against the IdP metadata), the Assertion exchanged for
 * an IdP refresh token, then connect and a tool call through ID-JAGs minted from that refresh token —
 * headless, and interactively through the agent's ACS over HTTP.
 */

import { FlowLog } from '@xaa/node-kit';
import { navigate } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent.ts';
import { type CliIO, EXIT, runClientCli } from '../../src/cli.ts';
import { ClientStore } from '../../src/store.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ servers: true });
  // Warm-up, outside the agent's bounded requests: the IdP makes its SAML signing key (RSA + certificate)
  // on first use.
  await (await fetch(stack.topology.idp.saml.metadata_url)).text();
  const warm = await stack.agent.agent.login({ app: 'acme-desktop', protocol: 'saml' });
  await (await fetch(warm.authorizationUrl as string, { redirect: 'manual' })).body?.cancel();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const agent = () => stack.agent.agent;

describe('xaa login --app acme-desktop --protocol saml', () => {
  it('signs alice in headlessly with SAML and keeps only the IdP refresh token its Assertion was exchanged for', async () => {
    const r = await agent().login({ user: 'alice', app: 'acme-desktop', headless: true, protocol: 'saml' });
    expect(r.outcome, JSON.stringify(r)).toBe('ok');
    expect(r.protocol).toBe('saml2');
    expect(r.consentScreens).toBe(0);
    const session = agent().store.getSession('alice', 'acme-desktop');
    expect(session?.protocol).toBe('saml2');
    expect(session?.id_token).toBe('');
    expect(session?.refresh_token).toBeTruthy();
    expect(session?.sub).toMatch(/.+/);

    const steps = stack.agent.flowLog.recent({ traceId: r.traceId }).map((e) => `${e.party}:${e.step}:${e.outcome}`);
    expect(steps).toEqual(expect.arrayContaining(['client:sso.authorize:ok', 'client:sso.login:ok', 'client:sso.token:ok']));
    const token = stack.agent.flowLog.recent({ traceId: r.traceId }).find((e) => e.step === 'sso.token');
    expect(token?.tokens?.[0]).toMatchObject({
      role: 'saml_assertion',
      claims: { audience: stack.topology.clients.find((c) => c.name === 'acme-desktop')?.saml?.entity_id },
    });
    // The IdP saw the same trace: AuthnRequest, Response, and the saml2 → refresh token exchange with its checks.
    const idpSteps = stack.idp.flowLog.recent({ traceId: r.traceId }).map((e) => `${e.step}:${e.outcome}`);
    expect(idpSteps).toEqual(expect.arrayContaining(['sso.authorize:ok', 'sso.token:ok', 'exchange.decision:ok', 'exchange.issued:ok']));
    const decision = stack.idp.flowLog.recent({ traceId: r.traceId }).find((e) => e.step === 'exchange.decision');
    expect(decision?.tokens?.[0]?.header.signature).toMatch(/verified/);
  });

  it('connects and calls a tool through ID-JAGs minted from the SAML refresh token, with no consent screen', async () => {
    const c = await agent().connect({ user: 'alice', app: 'acme-desktop', servers: ['tasks'] });
    expect(c.outcome, JSON.stringify(c)).toBe('ok');
    expect(c.servers[0]).toMatchObject({ mode: 'xaa', status: 'connected', consentScreens: 0 });
    const exchange = stack.idp.flowLog.recent({ traceId: c.traceId }).find((e) => e.step === 'exchange.decision');
    expect(exchange?.data?.subject_token_type).toBe('refresh_token');
    const call = await agent().call({ user: 'alice', app: 'acme-desktop', server: 'tasks', tool: 'list_tasks' });
    expect(call.outcome, JSON.stringify(call.error)).toBe('ok');
  });

  it('the same policy governs both protocols: a server Acme Desktop has no connection to is blocked', async () => {
    const c = await agent().connect({ user: 'alice', app: 'acme-desktop', servers: ['crm'] });
    expect(c.servers[0]?.status).toBe('blocked');
  });

  it('completes an interactive SAML login at the agent’s ACS over HTTP, and refuses a replayed Response', async () => {
    const token = await stack.opsToken(stack.topology.agent.admin);
    const res = await fetch(`${stack.agent.url}/admin/agent/login`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'dave', app: 'acme-desktop', protocol: 'saml' }),
    });
    const begun = (await res.json()) as { authorizationUrl: string; state: string; protocol: string };
    expect(res.status, JSON.stringify(begun)).toBe(200);
    expect(new URL(begun.authorizationUrl).pathname).toBe('/saml/sso');
    const acs = stack.topology.clients.find((c) => c.name === 'acme-desktop')?.saml?.acs_url as string;
    const nav = await navigate(new URL(begun.authorizationUrl), {
      fetch,
      redirectUri: acs,
      credentials: { username: 'dave', password: 'demo' },
      approveConsent: false,
      maxSteps: 12,
    });
    expect(nav.ok && nav.callbackBody?.get('RelayState')).toBe(begun.state);
    const form = nav.ok ? (nav.callbackBody as URLSearchParams) : new URLSearchParams();
    const post = () => fetch(acs, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    const done = await post();
    expect(done.status, await done.clone().text()).toBe(200);
    expect(await done.text()).toContain('Signed in with SAML as dave');
    expect(agent().store.getSession('dave', 'acme-desktop')?.protocol).toBe('saml2');
    const again = await post();
    expect(again.status).toBe(400);
  });

  it('a forged or foreign SAMLResponse at the ACS is refused by the SP checks, and no session is kept', async () => {
    const begun = await agent().login({ user: 'bob', app: 'acme-desktop', protocol: 'saml' });
    const forged = Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>').toString('base64');
    const r = await agent().handleSamlAcs({ SAMLResponse: forged, RelayState: begun.state });
    expect(r.outcome).not.toBe('ok');
    expect(agent().store.getSession('bob', 'acme-desktop')).toBeUndefined();
  });

  it('after the IdP revokes the user, the SAML refresh token mints nothing more: sign in again', async () => {
    await agent().login({ user: 'carol', app: 'acme-desktop', headless: true, protocol: 'saml' });
    await new Promise((r) => setTimeout(r, 1100));
    stack.idp.revokeUser('carol');
    await new Promise((r) => setTimeout(r, 1100));
    const c = await agent().connect({ user: 'carol', app: 'acme-desktop', servers: ['docs'] });
    expect(c.outcome).toBe('denied');
    expect(JSON.stringify(c)).toContain('sign in with SAML again');
  });

  it('an unreachable IdP metadata is an error outcome, never an exception', async () => {
    const config = { ...agent().config, idp: { ...agent().config.idp, saml: { metadata_url: 'http://127.0.0.1:9/saml/metadata' } } };
    const store = new ClientStore(':memory:');
    try {
      const offline = new Agent({ config, store, flowLog: new FlowLog({ capacity: 50 }) });
      const r = await offline.login({ user: 'alice', app: 'acme-desktop', headless: true, protocol: 'saml' });
      expect(r.outcome).toBe('error');
      expect(r.error?.code).toBe('saml_metadata');
    } finally {
      store.close();
    }
  });

  it('refuses --protocol saml for an app without a SAML registration', async () => {
    await expect(async () => agent().login({ user: 'alice', app: 'acme-agent', headless: true, protocol: 'saml' })).rejects.toThrow(/no SAML registration/);
  });
});

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    tty: false,
    out: (t: string) => {
      io.stdout += t;
    },
    err: (t: string) => {
      io.stderr += t;
    },
  };
  return io;
}

describe('the xaa CLI: login --app acme-desktop --protocol saml, then connect and call', () => {
  const run = async (...argv: string[]) => {
    const io = capture();
    const code = await runClientCli(argv, { dataDir: stack.dataDir, io });
    return { code, ...io };
  };

  it('headless: signs in with SAML, connects Tasks via XAA and calls a tool', async () => {
    const login = await run('login', '--app', 'acme-desktop', '--protocol', 'saml', '--user', 'bob', '--headless');
    expect(login.code, login.stderr).toBe(EXIT.ok);
    expect(login.stdout).toContain('signed in as bob via Acme Desktop with SAML');
    const status = await run('status');
    expect(status.stdout).toContain('(SAML)');
    const connect = await run('connect', 'docs');
    expect(connect.code, connect.stderr + connect.stdout).toBe(EXIT.ok);
    expect(connect.stdout).toContain('0 consent screens');
    const call = await run('call', 'docs', 'search_docs', '{"query":"a"}');
    expect(call.code, call.stderr).toBe(EXIT.ok);
  });

  it('browser: prints the AuthnRequest URL and finishes when the IdP posts to the agent’s ACS', async () => {
    const acs = stack.topology.clients.find((c) => c.name === 'acme-desktop')?.saml?.acs_url as string;
    const io = capture();
    const pending = runClientCli(['login', '--app', 'acme-desktop', '--protocol', 'saml', '--user', 'alice'], { dataDir: stack.dataDir, io });
    let url: string | undefined;
    for (let i = 0; i < 100 && !url; i++) {
      url = /https?:\/\/\S+\/saml\/sso\?\S+/.exec(io.stderr)?.[0];
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, io.stderr).toBeTruthy();
    const nav = await navigate(new URL(url as string), {
      fetch,
      redirectUri: acs,
      credentials: { username: 'alice', password: 'demo' },
      approveConsent: false,
      maxSteps: 12,
    });
    const form = nav.ok ? (nav.callbackBody as URLSearchParams) : new URLSearchParams();
    // The running agent serves the ACS; the CLI process waits on the shared client.db.
    const posted = await fetch(acs, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(posted.status).toBe(200);
    expect(await pending).toBe(EXIT.ok);
    expect(io.stdout).toContain('signed in as alice via Acme Desktop with SAML');
  });

  it('an unknown --protocol is a usage error (exit 2)', async () => {
    const r = await run('login', '--app', 'acme-desktop', '--protocol', 'ws-fed');
    expect(r.code).toBe(EXIT.usage);
  });
});
