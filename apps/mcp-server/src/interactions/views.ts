/** Plain HTML for the AS's own pages (login, consent, errors). Every interpolated value is escaped. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
 body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2937}
 h1{font-size:1.4rem} .box{border:1px solid #d1d5db;border-radius:.5rem;padding:1rem 1.25rem}
 label{display:block;margin:.6rem 0 .2rem} input{width:100%;padding:.45rem;box-sizing:border-box}
 button{margin-top:1rem;padding:.5rem 1rem;margin-right:.5rem} .err{color:#b91c1c} .muted{color:#6b7280;font-size:.9rem}
 ul.scopes li{margin:.3rem 0} code{background:#f3f4f6;padding:0 .25rem}
</style></head><body>${body}</body></html>`;
}

export function loginPage(input: {
  server: string;
  uid: string;
  clientName: string;
  error?: string;
  username?: string;
  demoUsers: string[];
  /** Why this local form shows instead of the company sign-in (the fallback was chosen, or the IdP is unreachable). */
  ssoNote?: string;
}): string {
  return page(
    `Sign in to ${input.server}`,
    `<h1>Sign in to ${escapeHtml(input.server)}</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> wants to use your ${escapeHtml(input.server)} account.</p>
${input.error ? `<p class="err" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form class="box" method="post" action="/interaction/${encodeURIComponent(input.uid)}/login" autocomplete="off">
 <label for="username">Username</label><input id="username" name="username" required value="${escapeHtml(input.username ?? '')}">
 <label for="password">Password</label><input id="password" name="password" type="password" required>
 <button type="submit">Sign in</button>
</form>
<p class="muted">Demo accounts of this local playground: ${input.demoUsers.map((u) => `<code>${escapeHtml(u)}</code>`).join(', ')}, password <code>demo</code>.</p>
<p class="muted">A local password is the fallback: <a href="/interaction/${encodeURIComponent(input.uid)}">Sign in with Acme SSO</a> instead.${input.ssoNote ? ` ${escapeHtml(input.ssoNote)}` : ''}</p>`,
  );
}

export function consentPage(input: {
  server: string;
  uid: string;
  clientName: string;
  clientId: string;
  username: string;
  scopes: Array<{ scope: string; description: string }>;
}): string {
  return page(
    `Authorize ${input.clientName}`,
    `<h1>Allow ${escapeHtml(input.clientName)} to access ${escapeHtml(input.server)}?</h1>
<div class="box">
 <p>Signed in as <strong>${escapeHtml(input.username)}</strong>.</p>
 <p><strong>${escapeHtml(input.clientName)}</strong> <span class="muted">(${escapeHtml(input.clientId)})</span> asks for:</p>
 <ul class="scopes">${input.scopes.map((s) => `<li><code>${escapeHtml(s.scope)}</code> — ${escapeHtml(s.description)}</li>`).join('')}</ul>
 <form method="post" action="/interaction/${encodeURIComponent(input.uid)}/consent">
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
 </form>
</div>`,
  );
}

export function renderErrorPage(server: string, error: string, description?: string): string {
  return page(
    `${server}: error`,
    `<h1>${escapeHtml(server)} could not complete the request</h1><p><code>${escapeHtml(error)}</code></p>${description ? `<p>${escapeHtml(description)}</p>` : ''}`,
  );
}
