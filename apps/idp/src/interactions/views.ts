/**
 * The IdP's few HTML pages: plain server-rendered forms that work without JavaScript. Every value that
 * reaches the markup goes through `escapeHtml`.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:420px;margin:48px auto;background:#fff;padding:28px 32px;border-radius:10px;box-shadow:0 1px 4px #0002}
h1{font-size:20px;margin:0 0 4px}p.sub{color:#5b6475;margin:0 0 20px}
label{display:block;margin:12px 0 4px;font-weight:600}input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #c5cad3;border-radius:6px;font:inherit}
button{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid #2f5bd3;background:#2f5bd3;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2f5bd3}.error{background:#fdecec;color:#8a1c1c;padding:8px 12px;border-radius:6px}
.demo{margin-top:24px;border-top:1px solid #e3e6eb;padding-top:16px}.demo form{display:inline-block;margin:4px 6px 4px 0}
.demo small{display:block;color:#5b6475;margin-bottom:6px}code{background:#eef0f3;padding:1px 4px;border-radius:4px}
`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Acme Workforce</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface DemoUser {
  username: string;
  name: string;
  groups: string[];
  password: string;
}

export function loginPage(input: { uid: string; clientTitle: string; error?: string; username?: string; demoUsers: DemoUser[] }): string {
  const action = `/interaction/${encodeURIComponent(input.uid)}/login`;
  const demo = input.demoUsers.length
    ? `<section class="demo"><small>Demo users (password <code>demo</code>) — one click signs in:</small>${input.demoUsers
        .map(
          (u) => `<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="username" value="${escapeHtml(u.username)}"><input type="hidden" name="password" value="${escapeHtml(u.password)}">
<button class="secondary" type="submit" title="${escapeHtml(`${u.name} (${u.groups.join(', ')})`)}">${escapeHtml(u.username)}</button></form>`,
        )
        .join('')}</section>`
    : '';
  return page(
    'Sign in',
    `<h1>Sign in to Acme Workforce</h1><p class="sub">to continue to <strong>${escapeHtml(input.clientTitle)}</strong></p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" type="text" required autofocus value="${escapeHtml(input.username ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" required>
<p><button type="submit">Sign in</button> <a href="/interaction/${encodeURIComponent(input.uid)}/abort">Cancel</a></p>
</form>${demo}`,
  );
}
