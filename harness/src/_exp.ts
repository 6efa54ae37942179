import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { basic, form, keepAliveAgent, send } from './http.ts';
import { ssoLogin } from './sso.ts';
import { startStack } from './stack.ts';
import { flowTokens, pickTool, ssoClient, user } from './world.ts';
import { asMetadata, idpTokenEndpoint, jwtBearer, mcpModernToolCall, tokenExchange } from './xaa.ts';

const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const stack = await startStack({
  env: process.env.EXP_ENV ? JSON.parse(process.env.EXP_ENV) : {},
  ...(process.env.PROF ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] } : {}),
});
const only = process.env.ONLY;
try {
  const m = stack.manifest;
  const agent = keepAliveAgent(256);
  const alice = user(m, 'alice');
  const sso = await ssoLogin(m.idp.issuer, ssoClient(m), alice.username, alice.password);
  const tasks = m.servers.find((s) => s.name === 'tasks')!;
  const client = m.clients.find((c) => c.name === 'acme-agent')!;
  const idpTok = await idpTokenEndpoint(m.idp.issuer);
  const asTok = (await asMetadata(tasks.issuer)).token_endpoint;
  const tool = await pickTool(tasks.resource, (await flowTokens(m, sso.id_token, 'tasks')).accessToken);
  const N = Number(process.env.N ?? 3000);
  const C = 50;
  async function measure(name: string, make: (i: number) => Promise<{ status: number }>, n = N) {
    if (only && !name.includes(only) && !(only === 'as jwt-bearer' && name === 'idp token exchange')) return;
    for (let i = 0; i < 200; i++) await make(i);
    const c0 = cpu(stack.pid);
    const t0 = performance.now();
    let next = 0;
    let bad = 0;
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < n) {
          const r = await make(next++);
          if (r.status !== 200) bad++;
        }
      }),
    );
    const dt = (performance.now() - t0) / 1000;
    const dc = cpu(stack.pid) - c0;
    console.log(`${name.padEnd(28)} ${(n / dt).toFixed(0).padStart(6)} req/s  server CPU ${((dc / n) * 1000).toFixed(2)} ms/req  bad ${bad}`);
  }
  await measure('GET idp discovery', () => send(`${m.idp.issuer}/.well-known/openid-configuration`, { agent }));
  await measure('GET as metadata', () => send(`${tasks.issuer}/.well-known/oauth-authorization-server`, { agent }));
  await measure('idp client_credentials', () =>
    send(idpTok, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(m.ops.client_id, m.ops.client_secret) },
      body: form({ grant_type: 'client_credentials', resource: `${m.idp.issuer}/admin`, scope: 'xaa:admin' }),
    }),
  );
  const jags: string[] = [];
  await measure('idp token exchange', async () => {
    const r = await tokenExchange(idpTok, client, sso.id_token, tasks, undefined, { agent });
    if (r.status === 200) jags.push(JSON.parse(r.body).access_token);
    return r;
  });
  let j = 0;
  const ats: string[] = [];
  await measure(
    'as jwt-bearer',
    async () => {
      const r = await jwtBearer(asTok, client, tasks, jags[j++]!, { agent });
      if (r.status === 200) ats.push(JSON.parse(r.body).access_token);
      return r;
    },
    Math.min(N, jags.length - 200),
  );
  const at = ats[0] ?? (await flowTokens(m, sso.id_token, 'tasks')).accessToken;
  await measure('mcp tools/call', async () => {
    const r = await mcpModernToolCall(tasks.resource, at, tool.name, tool.args, { agent });
    return { status: r.ok ? 200 : 500 };
  });
} finally {
  await stack.close();
}
