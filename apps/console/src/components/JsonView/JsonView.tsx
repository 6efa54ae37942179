import type { ReactNode } from 'react';

/** Pretty JSON with light syntax colouring, no HTML injection (React text nodes only). */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const parts: ReactNode[] = [];
  const re = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  let m: RegExpExecArray | null = re.exec(text ?? '');
  let i = 0;
  while (m) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    if (m[1]) {
      parts.push(
        <span key={i++} className={m[2] ? 'k' : 's'}>
          {m[1]}
        </span>,
      );
      if (m[2]) parts.push(m[2]);
    } else if (m[3]) {
      parts.push(
        <span key={i++} className="b">
          {m[3]}
        </span>,
      );
    } else if (m[4]) {
      parts.push(
        <span key={i++} className="n">
          {m[4]}
        </span>,
      );
    }
    last = re.lastIndex;
    m = re.exec(text);
  }
  if (last < (text ?? '').length) parts.push(text.slice(last));
  return (
    <pre className="json" title={label}>
      {parts}
    </pre>
  );
}
