/**
 * gradeDpop on recorded events (RFC 9449): the same-key check fails when the access token is bound to
 * another key than its ID-JAG — an AS that binds to whatever proof it got would let that pass.
 */
import type { FlowEvent } from '@xaa/protocol';
import { describe, expect, it } from 'vitest';
import { DPOP_CHECKS, gradeDpop } from '../../src/client/dpop.ts';

const dir = { servers: [], apps: [{ client_id: 'agent', registrations: { tasks: 'agent-at-tasks' } }] };
const run = { exitCode: 0, timedOut: false, durationMs: 1 };
let n = 0;
const ev = (e: Partial<FlowEvent>): FlowEvent =>
  ({ id: `e${++n}`, time: new Date(n * 1000).toISOString(), traceId: 't', outcome: 'ok', summary: '', ...e }) as FlowEvent;
const token = (role: string, jkt: string | undefined) => ({ role, header: {}, claims: jkt ? { cnf: { jkt } } : {} });

function events(jagKey: string | undefined, atKey: string | undefined, callKey: string | undefined): FlowEvent[] {
  return [
    ev({ party: 'idp', step: 'exchange.issued', subject: { client: 'agent' }, tokens: [token('id_jag', jagKey)] }),
    ev({ party: 'as:tasks', step: 'bearer.issued', subject: { client: 'agent-at-tasks' }, tokens: [token('access_token', atKey)] }),
    ev({ party: 'mcp:tasks', step: 'mcp.response', data: { tool: 'list_tasks', ...(callKey ? { dpop: { jkt: callKey } } : {}) } }),
  ];
}

const outcomes = (es: FlowEvent[]) => Object.fromEntries(gradeDpop({ run, events: es }, dir, 'agent').map((c) => [c.id, c.outcome]));

describe('gradeDpop', () => {
  it('passes one key end to end', () => {
    expect(outcomes(events('K', 'K', 'K'))).toEqual({
      [DPOP_CHECKS.exchange.id]: 'pass',
      [DPOP_CHECKS.token.id]: 'pass',
      [DPOP_CHECKS.sameKey.id]: 'pass',
      [DPOP_CHECKS.mcp.id]: 'pass',
    });
  });

  it('warns when the access token is bound to another key than the ID-JAG', () => {
    expect(outcomes(events('K', 'OTHER', 'OTHER'))[DPOP_CHECKS.sameKey.id]).toBe('warn');
  });

  it('fails calls made without a verified proof, and unbound access tokens', () => {
    const o = outcomes(events('K', undefined, undefined));
    expect(o[DPOP_CHECKS.token.id]).toBe('fail');
    expect(o[DPOP_CHECKS.mcp.id]).toBe('fail');
    expect(o[DPOP_CHECKS.sameKey.id]).toBe('error');
  });
});
