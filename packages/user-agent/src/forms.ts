/**
 * Reading a page the way a browser does: parse5 builds the WHATWG HTML tree (character references
 * decoded, implicitly closed elements closed, `<noscript>` read as a scripting browser reads it), and
 * the form a user would submit is picked from that tree: a login form first, then an approving
 * button of a consent screen, never a refusing one.
 */
import { type DefaultTreeAdapterTypes, parse } from 'parse5';

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

export interface Credentials {
  username: string;
  password: string;
}

export interface FormChoice {
  action: URL;
  method: 'GET' | 'POST';
  fields: URLSearchParams;
  /** `login`: a password form filled in; `consent`: an approving button pressed; `auto`: a form the page submits itself with script. */
  kind: 'login' | 'consent' | 'auto';
  /** Kept for callers of the earlier shape: `kind === 'login'`. */
  isLogin: boolean;
}

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function* walk(node: Node): Generator<Element> {
  if (isElement(node)) yield node;
  if ('childNodes' in node) for (const child of node.childNodes) yield* walk(child);
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterTypes.TextNode).value;
  return 'childNodes' in node ? node.childNodes.map(textOf).join('') : '';
}

/** The visible text of a page, whitespace collapsed (for error messages). */
export function pageText(html: string, max = 200): string {
  const doc = parse(html);
  const body = [...walk(doc)].find((e) => e.tagName === 'body');
  return textOf(body ?? doc)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

const APPROVE = /\b(allow|approve|accept|consent|confirm|continue|authori[sz]e|grant|yes|sign in|log in|login|submit)\b/i;
const REFUSE = /\b(deny|cancel|reject|decline|abort|no)\b/i;

function label(el: Element): string {
  return [attr(el, 'name'), attr(el, 'value'), attr(el, 'id'), textOf(el)].filter(Boolean).join(' ');
}

const typeOf = (el: Element) => (el.tagName === 'input' ? (attr(el, 'type') ?? 'text').toLowerCase() : el.tagName);

/** A document's forms, each with the controls that belong to it (HTML §4.10.21.4 successful controls, simplified). */
function formsOf(root: Node) {
  return [...walk(root)]
    .filter((e) => e.tagName === 'form')
    .map((form) => {
      const controls = [...walk(form)].filter((e) => ['input', 'select', 'textarea', 'button'].includes(e.tagName));
      return { form, controls };
    });
}

/**
 * Pick the form to submit on a page: one the page submits itself, else a login form, else a consent
 * form's approving button (or, with `consent: 'refuse'`, its refusing one).
 */
export function chooseForm(html: string, pageUrl: URL, credentials: Credentials, consent: 'approve' | 'refuse' = 'approve'): FormChoice | undefined {
  const doc = parse(html);
  const elements = [...walk(doc)];
  // Script that submits a form: a <script> element or an event handler attribute (`onload`).
  const selfSubmits = elements.some(
    (e) => (e.tagName === 'script' && /\.submit\(\)/.test(textOf(e))) || e.attrs.some((a) => a.name.startsWith('on') && /\.submit\(\)/.test(a.value)),
  );
  const judge = (text: string) => {
    const refuses = REFUSE.test(text);
    const approves = APPROVE.test(text);
    if (consent === 'refuse') return refuses ? 10 : -10;
    return refuses ? -10 : approves ? 10 : 1;
  };
  const candidates: Array<FormChoice & { score: number }> = [];
  const forms = formsOf(doc);
  for (const { form, controls } of forms) {
    const action = new URL(attr(form, 'action') || pageUrl.href, pageUrl);
    const method = (attr(form, 'method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
    const fields = new URLSearchParams();
    for (const c of controls) {
      const name = attr(c, 'name');
      const type = typeOf(c);
      if (!name || ['submit', 'button', 'image', 'reset'].includes(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && attr(c, 'checked') === undefined) continue;
      fields.append(name, c.tagName === 'textarea' ? textOf(c) : (attr(c, 'value') ?? ''));
    }
    const visible = controls.filter((c) => c.tagName === 'input' && !['hidden', 'submit', 'button', 'image', 'reset'].includes(typeOf(c)));
    // The one form of a page, of hidden fields only, that the page's script submits (a
    // response_mode=form_post page, a SAML HTTP-POST binding); never one of several (demo sign-in buttons).
    if (selfSubmits && forms.length === 1 && method === 'POST' && visible.length === 0) {
      candidates.push({ action, method, fields, kind: 'auto', isLogin: false, score: 1000 });
      continue;
    }
    const password = controls.find((c) => typeOf(c) === 'password');
    if (password) {
      const userField =
        controls.find((c) => /^(username|login|email|user)$/i.test(attr(c, 'name') ?? '')) ?? controls.find((c) => ['text', 'email'].includes(typeOf(c)));
      const userName = userField && attr(userField, 'name');
      if (userName) fields.set(userName, credentials.username);
      fields.set(attr(password, 'name') ?? 'password', credentials.password);
      candidates.push({ action, method, fields, kind: 'login', isLogin: true, score: 100 });
      continue;
    }
    const buttons = controls.filter((c) => c.tagName === 'button' || typeOf(c) === 'submit');
    if (buttons.length === 0) {
      candidates.push({ action, method, fields, kind: 'consent', isLogin: false, score: judge(`${action.pathname} ${label(form)}`) });
      continue;
    }
    for (const b of buttons) {
      const text = label(b);
      const score = REFUSE.test(action.pathname) ? judge(action.pathname) : judge(text);
      const f = new URLSearchParams(fields);
      const name = attr(b, 'name');
      if (name) f.set(name, attr(b, 'value') ?? '');
      const formaction = attr(b, 'formaction');
      candidates.push({ action: formaction ? new URL(formaction, pageUrl) : action, method, fields: f, kind: 'consent', isLogin: false, score });
    }
  }
  const best = candidates.sort((a, b) => b.score - a.score)[0];
  if (!best || best.score <= 0) return undefined;
  const { score: _score, ...choice } = best;
  return choice;
}
