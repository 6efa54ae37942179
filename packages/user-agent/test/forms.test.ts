/** The headless user agent's form choice: log in when asked, approve (never deny) a consent screen. */
import { describe, expect, it } from 'vitest';
import { chooseForm } from '../src/forms.ts';

const page = new URL('http://localhost:4104/interaction/abc');
const creds = { username: 'alice', password: 'demo' };

describe('chooseForm', () => {
  it('fills username and password of a login form', () => {
    const f = chooseForm(
      `<form method="post" action="/interaction/abc/login"><input name="username"><input type="password" name="password"><button>Sign in</button></form>`,
      page,
      creds,
    );
    expect(f?.isLogin).toBe(true);
    expect(f?.action.href).toBe('http://localhost:4104/interaction/abc/login');
    expect(Object.fromEntries(f?.fields ?? [])).toEqual({ username: 'alice', password: 'demo' });
  });

  it('prefers the real login form over one-click demo forms with hidden fields', () => {
    const f = chooseForm(
      `<form method="post" action="/l"><input type="hidden" name="username" value="bob"><input type="hidden" name="password" value="demo"><button>bob</button></form>
       <form method="post" action="/l"><input name="username"><input type="password" name="password"><button>Sign in</button></form>`,
      page,
      creds,
    );
    expect(f?.fields.get('username')).toBe('alice');
  });

  it('approves a consent form with allow and deny buttons, keeping hidden fields', () => {
    const f = chooseForm(
      `<form method="post" action="/interaction/abc/confirm"><input type="hidden" name="uid" value="abc">
       <button type="submit" name="decision" value="deny">Deny</button><button type="submit" name="decision" value="allow">Allow</button></form>`,
      page,
      creds,
    );
    expect(f?.isLogin).toBe(false);
    expect(f?.fields.get('decision')).toBe('allow');
    expect(f?.fields.get('uid')).toBe('abc');
  });

  it('picks the approving form when approve and deny are separate forms', () => {
    const f = chooseForm(
      `<form method="post" action="/interaction/abc/abort"><button>Cancel</button></form><form method="post" action="/interaction/abc/confirm"><button>Authorize</button></form>`,
      page,
      creds,
    );
    expect(f?.action.pathname).toBe('/interaction/abc/confirm');
  });

  it('finds nothing to submit on a page with only a deny button', () => {
    expect(chooseForm(`<form method="post" action="/x/deny"><button>Deny</button></form>`, page, creds)).toBeUndefined();
    expect(chooseForm(`<p>no forms</p>`, page, creds)).toBeUndefined();
  });
});

describe('chooseForm on pages that submit themselves', () => {
  it('submits a response_mode=form_post page (hidden fields, script-submitted) as a browser with script does, not as a consent screen', () => {
    const f = chooseForm(
      `<html><head><script>document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });</script></head>
       <body><form method="post" action="https://rp.test/cb"><input type="hidden" name="code" value="a&amp;b"/><input type="hidden" name="state" value="s"/>
       <noscript><button autofocus type="submit">Continue</button></noscript></form></body></html>`,
      page,
      creds,
    );
    expect(f?.kind).toBe('auto');
    expect(f?.action.href).toBe('https://rp.test/cb');
    expect(Object.fromEntries(f?.fields ?? [])).toEqual({ code: 'a&b', state: 's' });
  });

  it('decodes character references in attributes as the HTML parser does (WHATWG HTML §13.2.5.72)', () => {
    const f = chooseForm(
      `<form method="post" action="/i/x/login?a=1&amp;b=&#50;"><input name="username"><input type="password" name="password"></form>`,
      page,
      creds,
    );
    expect(f?.action.search).toBe('?a=1&b=2');
  });
});

describe('chooseForm: handlers and refusals', () => {
  it('treats a form submitted from an onload handler (a SAML HTTP-POST binding page) as self-submitting', () => {
    const f = chooseForm(
      `<body onload="document.forms[0].submit()"><form method="post" action="https://sp.test/acs"><input type="hidden" name="SAMLResponse" value="PHNhbWw+">
       <noscript><p>JavaScript is off: press Continue.</p></noscript><button type="submit">Continue</button></form></body>`,
      page,
      creds,
    );
    expect(f?.kind).toBe('auto');
    expect(f?.fields.get('SAMLResponse')).toBe('PHNhbWw+');
  });

  it("presses a consent screen's refusing button when told to refuse", () => {
    const f = chooseForm(
      `<form method="post" action="/interaction/abc/consent"><button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button></form>`,
      page,
      creds,
      'refuse',
    );
    expect(f?.kind).toBe('consent');
    expect(f?.fields.get('decision')).toBe('deny');
  });
});

describe('chooseForm: a script on a page of several forms', () => {
  it('does not auto-submit one of several hidden-field forms (one-click demo sign-ins) because the page has a script', () => {
    const f = chooseForm(
      `<script>function go(f) { f.submit() }</script>
       <form method="post" action="/l"><input type="hidden" name="username" value="bob"><input type="hidden" name="password" value="demo"><button>bob</button></form>
       <form method="post" action="/l"><input name="username"><input type="password" name="password"><button>Sign in</button></form>`,
      page,
      creds,
    );
    expect(f?.kind).toBe('login');
    expect(f?.fields.get('username')).toBe('alice');
  });
});
