/**
 * Step 2 of redemption: subject resolution (draft-04 §3.1, §6.3; identity chaining §2.4.2). The
 * ID-JAG's `iss`+`sub` names the user; a known pair maps to its local user. An unknown pair is
 * provisioned just in time when the AS allows it, and refused with `invalid_grant` when it does not.
 *
 * Provisioning links the pair to an existing local user by `email` only when the IdP vouches for the
 * address (`email_verified: true`, OIDC Core §5.1) and that user came from the same IdP and has no
 * other subject there yet (UserStore.linkableByEmail): an email asserted by another trusted IdP, or
 * an unverified one, would otherwise take over someone else's account (draft-04 §6.3 "account
 * linking"; OpenID Connect Core §5.7: `email` is not a stable identifier). Otherwise a new user.
 */
import type { IdJagClaims } from '@xaa/protocol';
import type { ServerRuntime } from '../../context.ts';
import type { LocalUser } from '../../db/users.ts';

export type SubjectResult = { ok: true; user: LocalUser; provisioned: 'existing' | 'linked' | 'created' } | { ok: false; reason: string };

export function mapSubject(rt: ServerRuntime, claims: IdJagClaims): SubjectResult {
  const known = rt.users.findByIdentity(claims.iss, claims.sub);
  if (known) return { ok: true, user: known, provisioned: 'existing' };
  if (!rt.settings.get().jit_provisioning)
    return { ok: false, reason: `No local user is linked to ${claims.sub} at ${claims.iss}, and just-in-time provisioning is off.` };
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : undefined;
  const linkable = email && claims.email_verified === true ? rt.users.linkableByEmail(claims.iss, email) : undefined;
  if (linkable) {
    rt.users.link(claims.iss, claims.sub, linkable.id);
    return { ok: true, user: linkable, provisioned: 'linked' };
  }
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  const user = rt.createUser({
    username: email ? (email.split('@')[0] as string) : `user-${claims.sub.slice(0, 8)}`,
    email: email ?? null,
    ...(name ? { name } : {}),
    source: 'jit',
    issuer: claims.iss,
  });
  rt.users.link(claims.iss, claims.sub, user.id);
  return { ok: true, user, provisioned: 'created' };
}
