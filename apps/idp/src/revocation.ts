/**
 * Central revocation (docs/decisions.md §7): disabling a user or revoking their sessions makes every later
 * token exchange fail at once. The user's `not_before` moves past now (ID tokens issued before it are
 * refused by verify-subject-token), and every session, grant, code, access and refresh token that
 * oidc-provider stored for the user is deleted.
 */
import type { IdpContext } from './context.ts';

export interface SessionView {
  uid: string;
  user: string;
  username: string | undefined;
  login_at: number | undefined;
  expires_at: number | null;
  clients: string[];
}

export function listSessions(idp: Pick<IdpContext, 'db' | 'directory' | 'now'>, userId?: string): SessionView[] {
  const now = Math.floor(idp.now() / 1000);
  const rows = idp.db
    .prepare(
      `SELECT payload, account_id, expires_at FROM oidc WHERE model = 'Session' AND account_id IS NOT NULL AND (expires_at IS NULL OR expires_at > ?) ${
        userId ? 'AND account_id = ?' : ''
      } ORDER BY rowid`,
    )
    .all(...(userId ? [now, userId] : [now])) as Array<{ payload: string; account_id: string; expires_at: number | null }>;
  return rows.map((r) => {
    const p = JSON.parse(r.payload) as { uid: string; loginTs?: number; authorizations?: Record<string, unknown> };
    return {
      uid: p.uid,
      user: r.account_id,
      username: idp.directory.getUser(r.account_id)?.username,
      login_at: p.loginTs,
      expires_at: r.expires_at,
      clients: Object.keys(p.authorizations ?? {}),
    };
  });
}

/** End every session and token of the user; returns how many stored records were removed. */
export function revokeUser(idp: IdpContext, userId: string, reason: string, actor: string, traceId: string): number {
  const user = idp.directory.getUser(userId);
  if (!user) return 0;
  // Tokens issued in this second or before are refused (iat has one-second resolution).
  const notBefore = Math.floor(idp.now() / 1000) + 1;
  let removed = 0;
  idp.db.transaction(() => {
    idp.directory.updateUser(userId, { not_before: notBefore });
    const grants = idp.db.prepare(`SELECT id FROM oidc WHERE model = 'Grant' AND account_id = ?`).all(userId) as Array<{ id: string }>;
    const byGrant = idp.db.prepare('DELETE FROM oidc WHERE grant_id = ?');
    for (const g of grants) removed += byGrant.run(g.id).changes;
    removed += idp.db.prepare('DELETE FROM oidc WHERE account_id = ?').run(userId).changes;
  })();
  idp.flowLog.emit({
    traceId,
    party: 'idp',
    step: 'revocation',
    outcome: 'ok',
    summary: `All sessions and tokens of ${user.username} revoked (${reason}) by ${actor}`,
    subject: { user: user.username },
    data: { user: user.id, reason, actor, not_before: notBefore, removed },
  });
  return removed;
}
