/** The few pages the backend renders itself (before the SPA can run): plain HTML, no external assets. */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · XAA Console</title>
<style>
  body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f6f8;color:#1b1f24;margin:0;display:grid;place-items:center;min-height:100vh}
  main{background:#fff;border:1px solid #dde1e6;border-radius:12px;padding:32px 40px;max-width:560px;box-shadow:0 2px 12px rgba(0,0,0,.05)}
  h1{font-size:1.5rem;margin:0 0 12px} p{margin:0 0 12px} .muted{color:#5b6470} code{background:#f0f2f5;padding:1px 5px;border-radius:4px}
  a.button{display:inline-block;background:#2f5bea;color:#fff;text-decoration:none;padding:8px 16px;border-radius:8px;font-weight:600;margin-top:8px}
  a.button:focus-visible{outline:3px solid #9db4ff;outline-offset:2px}
  .brand{font-weight:700;color:#2f5bea;letter-spacing:.02em;margin-bottom:16px}
</style></head>
<body><main role="main"><div class="brand">XAA Console</div>${body}</main></body></html>`;
}

export function refusedPage(who: string | undefined, detail: string): string {
  return page(
    'Access refused',
    `<h1>Access refused</h1>
<p>${who ? `You signed in as <strong>${esc(who)}</strong>, who` : 'This account'} is not an IdP administrator.
Only administrators (in the demo: <code>carol</code>) can use the XAA Console.</p>
<p class="muted">${esc(detail)}</p>
<a class="button" href="/auth/login">Sign in as another user</a>`,
  );
}

export function errorPage(title: string, detail: string): string {
  return page(title, `<h1>${esc(title)}</h1><p>${esc(detail)}</p><a class="button" href="/auth/login">Try again</a>`);
}
