import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AgentPanel, type AgentPanelProps, type AgentTool } from './AgentPanel.tsx';

const searchDocs: AgentTool = {
  name: 'search_docs',
  description: 'Search the documents you may read.',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'Words to look for.' },
      limit: { type: 'integer', minimum: 1 },
      kind: { type: 'string', enum: ['page', 'file'] },
      exact: { type: 'boolean' },
    },
    required: ['query'],
  },
};

function render(tools: Record<string, AgentTool[]>, servers: AgentPanelProps['servers'] = [{ name: 'docs', title: 'Docs', xaa: true }]) {
  const noop = () => {};
  const props: AgentPanelProps = {
    users: [{ id: 'u1', username: 'alice', groups: [], disabled: false, admin: false } as unknown as AgentPanelProps['users'][number]],
    apps: [{ client_id: 'acme-agent', title: 'Acme Agent' } as unknown as AgentPanelProps['apps'][number]],
    servers,
    session: { user: 'alice', client_id: 'acme-agent' },
    tools,
    actions: [],
    busy: false,
    onLogin: noop,
    onLogout: noop,
    onConnect: noop,
    onCall: noop,
    onShowTrace: noop,
  };
  return renderToStaticMarkup(<AgentPanel {...props} />);
}

describe('AgentPanel', () => {
  it('lists the servers the agent can reach, marking classic ones and those added at run time', () => {
    const html = render({}, [
      { name: 'docs', title: 'Docs', xaa: true },
      { name: 'wiki', title: 'Wiki', xaa: false },
      { name: 'tasks-2', title: 'Tasks', xaa: true, added: true },
    ]);
    expect(html).toMatch(/<option value="docs"[^>]*>Docs<\/option>/);
    expect(html).toMatch(/<option value="wiki">Wiki \(classic\)<\/option>/);
    expect(html).toMatch(/<option value="tasks-2">Tasks \(added\)<\/option>/);
  });

  it("offers the connected server's tools in a list and builds the arguments form from the input schema", () => {
    const html = render({ docs: [searchDocs, { name: 'read_doc', inputSchema: { type: 'object', properties: {} } }] });
    expect(html).toMatch(/<select name="agent-tool">.*search_docs.*read_doc.*<\/select>/s);
    expect(html).toContain('Search the documents you may read.');
    // One input per property, typed; the required one marked.
    expect(html).toMatch(/data-arg="query" data-kind="string"/);
    expect(html).toMatch(/data-arg="limit" data-kind="integer"/);
    expect(html).toMatch(/data-arg="kind" data-kind="enum"/);
    expect(html).toMatch(/<option value="page">page<\/option><option value="file">file<\/option>/);
    expect(html).toMatch(/data-arg="exact" data-kind="boolean"/);
    expect(html).toMatch(/<input id="arg-query" aria-required="true"/);
    expect(html).toContain('(required)');
    expect(html).toContain('Edit as JSON');
  });

  it('falls back to a typed tool name and raw JSON before the server is connected', () => {
    const html = render({});
    expect(html).toMatch(/<input type="text"[^>]*name="agent-tool"/);
    expect(html).toContain('name="agent-args"');
    expect(html).not.toContain('Edit as JSON');
  });

  it('refers to no internal document', () => {
    const html = render({ docs: [searchDocs] });
    expect(html).not.toMatch(/design\s§|§\d/);
  });
});
