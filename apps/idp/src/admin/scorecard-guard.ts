/**
 * What the scorecard's mint endpoint may sign. It signs with the IdP's real key, so a token it hands
 * out must be unusable anywhere in the playground itself — only a resource AS under test, reading it
 * as an ID-JAG, may be fooled by it:
 * - `typ`: never one of an access token (`at+jwt`, RFC 9068 §2.1) or of an ID token (`JWT` or no
 *   `typ` at all, which the IdP's own subject-token check accepts as an ID token; OIDC Core §2).
 *   Compared as media types are: case-insensitive, `application/` optional (RFC 7515 §4.1.9).
 * - `aud`: never the IdP itself (its issuer or anything on its origin, admin API included), an app
 *   registered at the IdP (an ID token's audience is its client_id), or an admin API anywhere (the
 *   topology's, or any URL whose path starts with `/admin`).
 * - `exp`: at most `idJagMaxTtl` ahead (a leaked test token dies soon); a removed `exp` is allowed
 *   for the scorecard's missing-claim case, since every verifier here requires one.
 */
import type { JWTPayload } from 'jose';
import { defaults } from '../config.ts';
import type { IdpContext } from '../context.ts';
import { AdminProblem } from './common.ts';

const FORBIDDEN_TYP = new Set(['jwt', 'at+jwt']);

function normalTyp(typ: string): string {
  const t = typ.trim().toLowerCase();
  return t.startsWith('application/') ? t.slice('application/'.length) : t;
}

function origin(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

function adminPath(value: string): boolean {
  try {
    const path = decodeURIComponent(new URL(value).pathname).replace(/\\/g, '/');
    return /^\/+admin(?:[/;.?#]|$)/i.test(path);
  } catch {
    return true;
  }
}

function refuse(field: string, description: string): never {
  throw new AdminProblem(400, 'invalid_request', description, { [field]: description });
}

export function assertMintable(idp: Pick<IdpContext, 'issuer' | 'topology' | 'directory' | 'now'>, typ: string | null, payload: JWTPayload): void {
  if (typ === null) refuse('mutation.typ', 'The IdP does not sign a test token without typ: the IdP itself would take it for an ID token.');
  if (FORBIDDEN_TYP.has(normalTyp(typ)))
    refuse('mutation.typ', `The IdP does not sign a test token with typ ${typ}: that is the type of its own ID tokens or access tokens.`);

  const t = idp.topology;
  const idpOrigin = origin(idp.issuer);
  const admins = new Set([t.idp.admin, t.agent.admin, t.console.admin, ...t.servers.map((s) => s.admin)].map((u) => u.toLowerCase()));
  const auds = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  for (const aud of auds) {
    if (typeof aud !== 'string') continue;
    const value = aud.trim();
    const o = origin(value);
    if ((o && o === idpOrigin) || value.replace(/\/+$/, '') === idp.issuer)
      refuse('mutation.set.aud', 'The audience may not be the IdP itself: a test token must not be accepted by the IdP.');
    if (idp.directory.getApp(value))
      refuse('mutation.set.aud', `The audience may not be an app registered at the IdP (${value}): that is an ID token's audience.`);
    if (admins.has(value.replace(/\/+$/, '').toLowerCase()) || (o && adminPath(value)))
      refuse('mutation.set.aud', 'The audience may not be an admin API: a test token must not be accepted by one.');
  }

  if (payload.exp !== undefined) {
    const max = Math.floor(idp.now() / 1000) + defaults.idJagMaxTtl;
    if (typeof payload.exp === 'number' && payload.exp > max) refuse('mutation', `exp may be at most ${defaults.idJagMaxTtl} s ahead for a test token.`);
  }
}
