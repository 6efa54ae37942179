/**
 * Crash durability: the playground runs as a child process while admin changes (user creation and
 * disabling, connection edits through the IdP admin API) and token decisions (exchanges and
 * jwt-bearer redemptions) stream in concurrently; it is killed with SIGKILL mid-stream and restarted
 * on the same data directory. Then:
 *
 * - every change acknowledged (2xx received) before the kill is there, and a change that was in flight
 *   at the kill is either fully there or not at all;
 * - every ID-JAG issued before the kill is in the IdP's audit trail (by `jti`);
 * - `PRAGMA integrity_check` passes on every database, right after the kill and at the end;
 * - no ID-JAG redeemed before the kill can be redeemed again (EMA: single-use `jti`).
 */
import { performance } from 'node:perf_hooks';
import { decodeJwt } from 'jose';
import { AdminClient } from '../admin.ts';
import { keepAliveAgent } from '../http.ts';
import { runPool, sleep } from '../pool.ts';
import type { Check, HarnessResult } from '../report.ts';
import { integrityCheck } from '../sqlite.ts';
import { ssoLogin } from '../sso.ts';
import { type Manifest, type Stack, startStack } from '../stack.ts';
import { asMetadata, type ClientDef, idpTokenEndpoint, jwtBearer, type ServerDef, tokenExchange } from '../xaa.ts';

export interface CrashOptions {
  mode: 'quick' | 'full';
  cycles: number;
  /** Traffic runs this long (a seeded random point in the range) before the kill. */
  killAfterMs: [number, number];
  seed: number;
  userLanes: number;
  tokenLanes: number;
  /** Existing stack to start from (tests); otherwise one is started. */
  stack?: Stack;
}

/** mulberry32: a tiny seeded PRNG, so the kill points of a run reproduce. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface UserState {
  username: string;
  created: 'acked' | 'sent';
  disable?: 'acked' | 'sent';
}

export interface ConnectionState {
  id: string;
  lastAcked?: number;
  /** Values sent since the last acknowledgement: each may or may not have been applied. */
  unacked: number[];
  seq: number;
}

export interface Redeemed {
  server: ServerDef;
  client: ClientDef;
  idJag: string;
  jti: string;
  cycle: number;
}

export interface Ledger {
  users: UserState[];
  connections: Map<string, ConnectionState>;
  issued: Array<{ jti: string; cycle: number }>;
  redeemed: Redeemed[];
  counts: Record<string, number>;
}

const bump = (l: Ledger, k: string) => {
  l.counts[k] = (l.counts[k] ?? 0) + 1;
};

/** Drives the streams until `stopped()`; every acknowledgement is recorded before the next request. */
async function drive(stack: Stack, ledger: Ledger, o: CrashOptions, cycle: number, stopped: () => boolean): Promise<void> {
  const m = stack.manifest;
  const agent = keepAliveAgent(64);
  const admin = new AdminClient(m, agent);
  const idpAdmin = m.idp.admin;
  await admin.token(idpAdmin);
  const client = m.clients.find((c) => c.name === 'acme-agent') as ClientDef;
  const redirect_uri = client.idp.redirect_uris[0] as string;
  const sso = { client_id: client.idp.client_id, client_secret: client.idp.client_secret, redirect_uri };
  const alice = m.users.find((u) => u.username === 'alice');
  const dave = m.users.find((u) => u.username === 'dave');
  if (!alice || !dave) throw new Error('seeded users alice and dave are required');
  const idTokens = {
    alice: (await ssoLogin(m.idp.issuer, sso, alice.username, alice.password)).id_token,
    dave: (await ssoLogin(m.idp.issuer, sso, dave.username, dave.password)).id_token,
  };
  const tasks = m.servers.find((s) => s.name === 'tasks') as ServerDef;
  const docs = m.servers.find((s) => s.name === 'docs') as ServerDef;
  const idpToken = await idpTokenEndpoint(m.idp.issuer);
  const asToken = { tasks: (await asMetadata(tasks.issuer)).token_endpoint, docs: (await asMetadata(docs.issuer)).token_endpoint };
  const conns = (await admin.json<{ connections: Array<{ id: string; ttl: number }> }>(idpAdmin, 'GET', '/connections')).connections;
  for (const c of conns) if (!ledger.connections.has(c.id)) ledger.connections.set(c.id, { id: c.id, unacked: [], seq: 0 });

  const lanes: Array<Promise<void>> = [];
  // Admin: create users, disable every other one.
  for (let lane = 0; lane < o.userLanes; lane++)
    lanes.push(
      (async () => {
        for (let i = 0; !stopped(); i++) {
          const u: UserState = { username: `crash-${cycle}-${lane}-${i}`, created: 'sent' };
          ledger.users.push(u);
          const r = await admin
            .call(idpAdmin, 'POST', '/users', {
              username: u.username,
              email: `${u.username}@acme.test`,
              name: `Crash ${i}`,
              password: 'pw',
              groups: ['engineering'],
            })
            .catch(() => undefined);
          if (r?.status !== 201) {
            if (r) bump(ledger, `user create ${r.status}`);
            continue;
          }
          u.created = 'acked';
          bump(ledger, 'users created');
          if (i % 2 === 1 && !stopped()) {
            u.disable = 'sent';
            const d = await admin.call(idpAdmin, 'PATCH', `/users/${u.username}`, { disabled: true }).catch(() => undefined);
            if (d?.status === 200) {
              u.disable = 'acked';
              bump(ledger, 'users disabled');
            } else if (d) bump(ledger, `user disable ${d.status}`);
          }
        }
      })(),
    );
  // Admin: one lane per connection, editing its ID-JAG lifetime to a fresh value each time.
  for (const c of ledger.connections.values())
    lanes.push(
      (async () => {
        while (!stopped()) {
          // A fresh lifetime each time (601…2600, cycling), so the stored value says which edit won.
          const ttl = 601 + (c.seq++ % 2000);
          c.unacked.push(ttl);
          const r = await admin.call(idpAdmin, 'PATCH', `/connections/${c.id}`, { ttl }).catch(() => undefined);
          if (r?.status === 200) {
            c.lastAcked = ttl;
            c.unacked = [];
            bump(ledger, 'connection edits');
          } else if (r) bump(ledger, `connection edit ${r.status}`);
        }
      })(),
    );
  // Token decisions: exchange then redeem, alternating servers and users.
  for (let lane = 0; lane < o.tokenLanes; lane++)
    lanes.push(
      (async () => {
        for (let i = 0; !stopped(); i++) {
          const useTasks = (lane + i) % 2 === 0;
          const server = useTasks ? tasks : docs;
          const idToken = useTasks ? idTokens.alice : i % 3 === 0 ? idTokens.dave : idTokens.alice;
          const ex = await tokenExchange(idpToken, client, idToken, server, undefined, { agent }).catch(() => undefined);
          if (ex?.status !== 200) {
            if (ex) bump(ledger, `exchange ${ex.status}`);
            continue;
          }
          const idJag = (JSON.parse(ex.body) as { access_token: string }).access_token;
          const jti = String(decodeJwt(idJag).jti);
          ledger.issued.push({ jti, cycle });
          bump(ledger, 'ID-JAGs issued');
          const jb = await jwtBearer(useTasks ? asToken.tasks : asToken.docs, client, server, idJag, { agent }).catch(() => undefined);
          if (jb?.status === 200) {
            ledger.redeemed.push({ server, client, idJag, jti, cycle });
            bump(ledger, 'ID-JAGs redeemed');
          } else if (jb) bump(ledger, `jwt-bearer ${jb.status}`);
        }
      })(),
    );
  await Promise.all(lanes);
  agent.destroy();
}

/** The after-restart checks, exported so a test can show each one fails on a ledger the playground contradicts. */
export async function verify(stack: Stack, ledger: Ledger): Promise<{ checks: Check[]; details: Record<string, unknown> }> {
  const m: Manifest = stack.manifest;
  const admin = new AdminClient(m);
  const base = m.idp.admin;
  const users = new Map((await admin.json<{ users: Array<{ username: string; disabled: boolean }> }>(base, 'GET', '/users')).users.map((u) => [u.username, u]));
  const lostUsers = ledger.users.filter((u) => u.created === 'acked' && !users.has(u.username)).map((u) => u.username);
  const lostDisables = ledger.users.filter((u) => u.disable === 'acked' && users.get(u.username)?.disabled !== true).map((u) => u.username);
  const phantomDisables = ledger.users.filter((u) => !u.disable && users.get(u.username)?.disabled === true).map((u) => u.username);
  const conns = new Map((await admin.json<{ connections: Array<{ id: string; ttl: number }> }>(base, 'GET', '/connections')).connections.map((c) => [c.id, c]));
  const badConnections: string[] = [];
  for (const c of ledger.connections.values()) {
    if (c.lastAcked === undefined) continue;
    const now = conns.get(c.id)?.ttl;
    // The last acknowledged edit, or one sent after it whose answer the kill swallowed.
    if (now !== c.lastAcked && !c.unacked.includes(now as number))
      badConnections.push(`${c.id}: ttl ${now}, last acknowledged ${c.lastAcked}, unacknowledged since: ${c.unacked.join(' ') || 'none'}`);
  }
  // Every issued ID-JAG is in the audit trail.
  const audited = await auditedJtis(admin, base);
  const missingAudit = ledger.issued.filter(({ jti }) => !audited.has(jti)).map(({ jti }) => jti);
  // No redeemed ID-JAG can be redeemed again.
  const replayed: string[] = [];
  const refusals: Record<string, number> = {};
  await runPool(ledger.redeemed, 8, async (x) => {
    const r = await jwtBearer((await asMetadata(x.server.issuer)).token_endpoint, x.client, x.server, x.idJag);
    if (r.status === 200) replayed.push(`${x.server.name} jti ${x.jti} (redeemed in cycle ${x.cycle})`);
    else {
      let why = `${r.status}`;
      try {
        const b = JSON.parse(r.body) as { error?: string; error_description?: string };
        const description = (b.error_description ?? '').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_-]{20,}/g, '…');
        why = `${r.status} ${b.error}: ${description.slice(0, 100)}`;
      } catch {
        // keep the status
      }
      refusals[why] = (refusals[why] ?? 0) + 1;
    }
  });
  const list = (xs: string[]) => (xs.length ? `${xs.length}: ${xs.slice(0, 5).join(', ')}` : '');
  return {
    checks: [
      {
        name: 'acknowledged user creations survive',
        ok: lostUsers.length === 0,
        detail: list(lostUsers) || `${ledger.users.filter((u) => u.created === 'acked').length} checked`,
      },
      {
        name: 'acknowledged user disables survive',
        ok: lostDisables.length === 0 && phantomDisables.length === 0,
        detail:
          list([...lostDisables, ...phantomDisables.map((u) => `${u} (never sent)`)]) || `${ledger.users.filter((u) => u.disable === 'acked').length} checked`,
      },
      {
        name: 'acknowledged connection edits survive',
        ok: badConnections.length === 0,
        detail: list(badConnections) || `${ledger.connections.size} connections checked`,
      },
      { name: 'issued ID-JAGs are in the audit trail', ok: missingAudit.length === 0, detail: list(missingAudit) || `${ledger.issued.length} jti found` },
      { name: 'redeemed ID-JAGs cannot be replayed', ok: replayed.length === 0, detail: list(replayed) || `${ledger.redeemed.length} replays refused` },
    ],
    details: { replayRefusals: refusals },
  };
}

export async function runCrash(o: CrashOptions): Promise<HarnessResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const rand = prng(o.seed);
  const ledger: Ledger = { users: [], connections: new Map(), issued: [], redeemed: [], counts: {} };
  const checks: Check[] = [];
  const cycles: Array<Record<string, unknown>> = [];
  let stack = o.stack ?? (await startStack());
  const { dataDir, basePort } = stack;
  try {
    for (let cycle = 1; cycle <= o.cycles; cycle++) {
      const [lo, hi] = o.killAfterMs;
      const killAfter = Math.round(lo + rand() * (hi - lo));
      let stop = false;
      const driving = drive(stack, ledger, o, cycle, () => stop);
      const before = { ...ledger.counts };
      await Promise.race([sleep(killAfter), driving.then(() => sleep(0))]);
      const t0 = performance.now();
      // SIGKILL goes out synchronously; the lanes stop sending right after it, while requests are in flight.
      const killed = stack.kill9();
      stop = true;
      await killed;
      await driving.catch(() => {});
      const integrity = integrityCheck(dataDir);
      checks.push({
        name: `cycle ${cycle}: integrity_check after kill -9`,
        ok: integrity.every((r) => r.ok),
        detail: integrity.map((r) => `${r.file} ${r.detail.slice(0, 60)}`).join(', '),
      });
      stack = await startStack({ dataDir, basePort });
      const restartMs = performance.now() - t0;
      const v = await verify(stack, ledger);
      checks.push(...v.checks.map((c) => ({ ...c, name: `cycle ${cycle}: ${c.name}` })));
      const delta = Object.fromEntries(Object.entries(ledger.counts).map(([k, v2]) => [k, v2 - (before[k] ?? 0)]));
      cycles.push({ cycle, killAfterMs: killAfter, restartMs: Math.round(restartMs), acknowledged: delta, ...v.details });
    }
  } finally {
    await stack.stop();
  }
  const final = integrityCheck(dataDir);
  checks.push({
    name: 'integrity_check after the last clean stop',
    ok: final.every((r) => r.ok),
    detail: final.map((r) => `${r.file} ${r.detail.slice(0, 40)}`).join(', '),
  });
  if (!o.stack) {
    const { rmSync } = await import('node:fs');
    rmSync(dataDir, { recursive: true, force: true });
  }
  const c = ledger.counts;
  return {
    harness: 'crash',
    mode: o.mode,
    startedAt,
    durationMs: performance.now() - started,
    figures: [
      { name: 'kill -9 cycles', value: o.cycles },
      { name: 'users created (acknowledged)', value: c['users created'] ?? 0 },
      { name: 'users disabled (acknowledged)', value: c['users disabled'] ?? 0 },
      { name: 'connection edits (acknowledged)', value: c['connection edits'] ?? 0 },
      { name: 'ID-JAGs issued (acknowledged)', value: c['ID-JAGs issued'] ?? 0 },
      { name: 'ID-JAGs redeemed (acknowledged)', value: c['ID-JAGs redeemed'] ?? 0 },
      { name: 'seed', value: o.seed },
      ...cycles.map((x) => ({ name: `cycle ${x.cycle} kill after / restart`, value: `${x.killAfterMs} ms / ${x.restartMs} ms` })),
    ],
    checks,
    details: { counts: ledger.counts, cycles },
  };
}

const AUDIT_PAGE = 250;

type AuditEvent = { id: string; data?: { jti?: unknown }; tokens?: Array<{ claims?: { jti?: unknown } }> };

/**
 * Every `jti` the IdP's audit trail records (the event's `data.jti`, else a token's, as the audit's
 * `jti` column), read newest first in pages: one pass over the trail instead of one search per ID-JAG.
 */
async function auditedJtis(admin: AdminClient, base: string): Promise<Set<string>> {
  const jtis = new Set<string>();
  let before: string | undefined;
  for (;;) {
    // Pages the harness's HTTP client reads whole (it keeps at most 1 MiB of a body).
    const page = await admin.json<{ events: AuditEvent[] }>(base, 'GET', `/audit?limit=${AUDIT_PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    for (const e of page.events) {
      const jti = e.data?.jti ?? e.tokens?.find((t) => typeof t.claims?.jti === 'string')?.claims?.jti;
      if (typeof jti === 'string') jtis.add(jti);
    }
    if (page.events.length < AUDIT_PAGE) return jtis;
    before = page.events.at(-1)?.id;
  }
}
