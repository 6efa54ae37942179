import { describe, expect, it } from 'vitest';
import { sampleTrace } from '../../src/components/LiveFlows/LiveFlows.fixtures.ts';
import { arrowOf, captionOf, diffClaims, failureOf, laneOf, lineage, sequenceRows } from '../../src/lib/trace.ts';

describe('trace helpers', () => {
  it('puts each party in its lane', () => {
    expect(['idp', 'client', 'as:tasks', 'mcp:docs', 'console'].map(laneOf)).toEqual(['idp', 'client', 'as', 'mcp', 'idp']);
  });

  it('builds the lineage ID token → ID-JAG → access token → tool call with changed claims', () => {
    const hops = lineage(sampleTrace({ index: 0, start: 1_000_000 }));
    expect(hops.map((h) => h.role)).toEqual(['id_token', 'id_jag', 'access_token', 'tool_call']);
    const jag = hops[1];
    const changed = Object.fromEntries((jag?.changes ?? []).filter((c) => c.kind !== 'same').map((c) => [c.claim, c.kind]));
    expect(changed).toMatchObject({ aud: 'changed', client_id: 'added', resource: 'added', scope: 'added', nonce: 'removed' });
    const at = hops[2];
    expect(at?.changes?.find((c) => c.claim === 'aud')).toMatchObject({ kind: 'changed', after: 'http://localhost:4101/mcp' });
  });

  it("follows the DPoP key along the lineage: ID-JAG cnf → access token cnf → the call's proof key (RFC 9449)", () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const bound = sampleTrace({ index: 0, start: 1_000_000 }).map((e) => ({
      ...e,
      tokens: e.tokens?.map((t) => (t.role === 'id_jag' || t.role === 'access_token' ? { ...t, claims: { ...t.claims, cnf: { jkt } } } : t)),
      ...(e.data?.tool ? { data: { ...e.data, dpop: { jkt } } } : {}),
    }));
    const hops = lineage(bound);
    expect(hops.map((h) => [h.role, h.jkt])).toEqual([
      ['id_token', undefined],
      ['id_jag', jkt],
      ['access_token', jkt],
      ['tool_call', jkt],
    ]);
    expect(lineage(sampleTrace({ index: 0, start: 1_000_000 })).every((h) => h.jkt === undefined)).toBe(true);
  });

  it('diffClaims reports added, removed, changed and same', () => {
    expect(diffClaims({ a: 1, b: 2, c: [1] }, { a: 1, b: 3, d: 4, c: [1] })).toEqual([
      { claim: 'a', kind: 'same', before: 1, after: 1 },
      { claim: 'b', kind: 'changed', before: 2, after: 3 },
      { claim: 'c', kind: 'same', before: [1], after: [1] },
      { claim: 'd', kind: 'added', after: 4 },
    ]);
  });

  it('finds the event that explains a failure (the failed check, with its spec clause)', () => {
    const f = failureOf(sampleTrace({ index: 0, start: 1_000_000, kind: 'bad_aud' }));
    expect(f?.check?.id).toBe('aud');
    expect(f?.error?.specRef).toBe('draft-04 §4.4.1');
    expect(failureOf(sampleTrace({ index: 0, start: 1_000_000 }))).toBeUndefined();
  });

  it('points each step of a trace between the parties it passed between', () => {
    const events = sampleTrace({ index: 0, start: 1_000_000 });
    const arrows = events.map((e) => `${e.step}:${arrowOf(e).from}>${arrowOf(e).to}:${arrowOf(e).kind}`);
    expect(arrows).toEqual([
      'sso.authorize:client>idp:round-trip',
      'sso.login:client>idp:call',
      'sso.token:idp>client:reply',
      'exchange.request:client>idp:round-trip',
      'exchange.decision:idp>idp:self',
      'exchange.issued:idp>client:reply',
      'bearer.request:client>as:call',
      'bearer.check:as>as:self',
      'bearer.check:as>as:self',
      'bearer.check:as>as:self',
      'bearer.issued:as>client:reply',
      'mcp.request:client>mcp:round-trip',
      'mcp.response:mcp>client:reply',
    ]);
    expect(captionOf(events[5] as (typeof events)[number])).toBe('ID-JAG');
  });

  it('folds a run of passing checks into one row, never a failing one', () => {
    const ok = sequenceRows(sampleTrace({ index: 0, start: 1_000_000 }));
    const group = ok.find((r) => r.kind === 'group');
    expect(group?.kind === 'group' && group.events.length).toBe(3);
    expect(ok).toHaveLength(11);
    const bad = sequenceRows(sampleTrace({ index: 0, start: 1_000_000, kind: 'bad_aud' }));
    expect(bad.some((r) => r.kind === 'group')).toBe(false);
    expect(bad.at(-1)?.kind === 'event' && bad.at(-1)).toMatchObject({ event: { step: 'bearer.check', outcome: 'error' } });
  });
});
