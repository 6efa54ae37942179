import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { inputForServer, requestOf } from '../ScorecardForm/ScorecardForm.tsx';
import { failing, passing, report, warning } from './ScorecardReport.fixtures.ts';
import { ScorecardReport } from './ScorecardReport.tsx';

const render = (r: ReturnType<typeof report>) => renderToStaticMarkup(<ScorecardReport report={r} onDownload={() => {}} />);

describe('ScorecardReport', () => {
  it('shows the score, the summary and one row per case with what was mutated, expected and answered', () => {
    const html = render(report([passing, warning], 100, true));
    expect(html).toContain('100%');
    expect(html).toContain('PASSED');
    expect(html).toContain('1 passed, 0 failed, 1 warnings');
    expect(html).toContain('data-case="signature.alg-none" data-outcome="pass"');
    expect(html).toContain('header alg = none, signature removed');
    expect(html).toContain('400 invalid_grant: The signing algorithm');
    expect(html).toContain('(SHOULD)');
    expect(html).toContain('JUnit XML');
    // Passing cases start folded.
    expect(html).not.toContain('Why it matters');
  });

  it('opens failed cases with the reason, why it matters and the clause', () => {
    const html = render(report([passing, failing], 50, false));
    expect(html).toContain('FAILED');
    expect(html).toContain('data-outcome="fail"');
    expect(html).toContain('The AS redeemed the same ID-JAG twice.');
    expect(html).toContain('ID-JAGs are single-use.');
    expect(html).toContain('EMA §7.4.2');
    expect(html).toContain('aria-expanded="true"');
  });
});

describe('ScorecardForm inputs', () => {
  const targets = [
    {
      server: 'tasks',
      title: 'Tasks',
      issuer: 'http://localhost:4101',
      resource: 'http://localhost:4101/mcp',
      xaa: true,
      registrations: [
        { app: 'acme-agent', title: 'Acme Agent', client_id: 'acme-agent-at-tasks' },
        { app: 'acme-chat', title: 'Acme Chat', client_id: 'acme-chat-at-tasks' },
      ],
    },
  ];

  it('a playground server sends only its name and the app: the backend fills in the secret', () => {
    const input = inputForServer(targets, 'tasks', 'acme-chat');
    expect(input).toMatchObject({ issuer: 'http://localhost:4101', clientId: 'acme-chat-at-tasks', clientSecret: '' });
    expect(requestOf(input)).toEqual({ server: 'tasks', app: 'acme-chat' });
  });

  it('another AS sends every field', () => {
    expect(requestOf({ server: '', app: '', issuer: ' https://as.example ', resource: 'https://mcp.example/mcp', clientId: 'c', clientSecret: 's' })).toEqual({
      issuer: 'https://as.example',
      resource: 'https://mcp.example/mcp',
      clientId: 'c',
      clientSecret: 's',
    });
  });
});
