/**
 * The pure parts of bringing your own server: reading the RFC 9728 §5.1 challenge, and the name a
 * server gets at the IdP. (Discovery and registration over HTTP: apps/cli/test/add/add.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { BadServerUrl, defaultServerName, discoverMcpServer, resourceMetadataFrom } from '../../src/index.ts';

describe('resourceMetadataFrom (RFC 9728 §5.1)', () => {
  it('reads resource_metadata from a Bearer challenge, quoted, among other parameters', () => {
    expect(resourceMetadataFrom('Bearer resource_metadata="https://x.test/.well-known/oauth-protected-resource/mcp"')).toBe(
      'https://x.test/.well-known/oauth-protected-resource/mcp',
    );
    expect(resourceMetadataFrom('Bearer error="invalid_token", scope="a b", resource_metadata="https://x.test/m"')).toBe('https://x.test/m');
    expect(resourceMetadataFrom('bearer RESOURCE_METADATA="https://x.test/m"')).toBe('https://x.test/m');
  });
  it('nothing for another scheme, no header or no parameter', () => {
    expect(resourceMetadataFrom('Basic realm="x"')).toBeUndefined();
    expect(resourceMetadataFrom(null)).toBeUndefined();
    expect(resourceMetadataFrom('Bearer realm="x"')).toBeUndefined();
  });
});

describe('defaultServerName', () => {
  const d = { url: 'http://localhost:5101/mcp', ok: true, resource: 'http://localhost:5101/mcp', scopes: [], findings: [] };
  it('takes the resource_name, slugged for the IdP', () => {
    expect(defaultServerName({ ...d, resourceName: 'Acme Notes (beta)' })).toBe('acme-notes-beta');
  });
  it('else the host and port', () => {
    expect(defaultServerName(d)).toBe('localhost-5101');
    expect(defaultServerName({ ...d, resourceName: '!!!' })).toBe('localhost-5101');
  });
});

describe('discoverMcpServer', () => {
  it('refuses what is not an http(s) URL before any request', async () => {
    for (const url of ['not a url', 'javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@x.test/mcp']) {
      await expect(discoverMcpServer(url, { fetch: () => Promise.reject(new Error('no request expected')) })).rejects.toBeInstanceOf(BadServerUrl);
    }
  });
});
