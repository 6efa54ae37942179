import type { App, Server } from '@xaa/admin-contracts/idp';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { app as fixtureApp } from '../ConnectionMatrix/ConnectionMatrix.fixtures.ts';
import { AppsTable, PUBLIC_CLIENT_BADGE } from './DirectoryTables.tsx';

const servers: Server[] = [];
const app = (over: Pick<App, 'client_id' | 'title'> & Partial<App>): App => fixtureApp({ registrations: {}, ...over });

describe('AppsTable: public clients at token exchange (EMA §7.7)', () => {
  const html = renderToStaticMarkup(
    <AppsTable
      servers={servers}
      apps={[
        app({ client_id: 'cli-public', title: 'Public CLI', token_endpoint_auth_method: 'none' }),
        app({ client_id: 'acme-agent', title: 'Acme Agent' }),
        app({ client_id: 'spa', title: 'SPA without exchange', token_endpoint_auth_method: 'none', token_exchange: false }),
      ]}
    />,
  );

  it('marks an app registered public that may exchange tokens', () => {
    expect(html).toContain('data-testid="public-client-cli-public"');
    expect(html).toContain(PUBLIC_CLIENT_BADGE);
    expect(html.split(PUBLIC_CLIENT_BADGE)).toHaveLength(2);
  });

  it('does not mark confidential apps, nor public apps without token exchange', () => {
    expect(html).not.toContain('public-client-acme-agent');
    expect(html).not.toContain('public-client-spa');
  });
});
