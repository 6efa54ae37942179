import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { apps, connections, servers } from './ConnectionMatrix.fixtures.ts';
import { ConnectionMatrix } from './ConnectionMatrix.tsx';

describe('ConnectionMatrix', () => {
  const html = renderToStaticMarkup(<ConnectionMatrix apps={apps} servers={servers} connections={connections} onOpen={() => {}} />);

  it('renders one cell per app × server with the connection state', () => {
    expect(html.match(/data-testid="cell-/g)).toHaveLength(apps.length * servers.length);
    expect(html).toContain('aria-label="Acme Agent to Tasks: enabled"');
    expect(html).toContain('aria-label="Acme Agent to Docs: disabled"');
    expect(html).toContain('aria-label="Shadow Agent to Tasks: no connection"');
  });

  it('shows scopes, audience and lifetime in a cell', () => {
    expect(html).toContain('tasks.read');
    expect(html).toContain('groups: engineering · 300s');
    expect(html).toContain('everyone · 120s');
  });

  it('disables servers without ID-JAG support (classic OAuth only)', () => {
    expect(html).toMatch(/data-testid="cell-acme-agent-wiki"[^>]*disabled=""|disabled=""[^>]*data-testid="cell-acme-agent-wiki"/);
  });
});
