import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientAuthentication, pkce } from '../src/sign-in.ts';

describe('pkce (RFC 7636 §4.2)', () => {
  it('derives the S256 challenge from the verifier', () => {
    const p = pkce();
    expect(p.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.code_challenge).toBe(createHash('sha256').update(p.code_verifier).digest('base64url'));
  });
});

describe('clientAuthentication (RFC 6749 §2.3.1)', () => {
  it('form-encodes Basic credentials, or puts them in the body, or sends client_id alone', () => {
    const basic = clientAuthentication({ clientId: 'a b', clientSecret: 's:t' });
    expect(Buffer.from((basic.headers.authorization as string).slice(6), 'base64').toString()).toBe('a+b:s%3At');
    expect(clientAuthentication({ clientId: 'c', clientSecret: 's', clientAuth: 'client_secret_post' }).body).toEqual({ client_id: 'c', client_secret: 's' });
    expect(clientAuthentication({ clientId: 'c' })).toEqual({ headers: {}, body: { client_id: 'c' } });
  });
});
