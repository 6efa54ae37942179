import type { ArgField, Drafts } from '../../lib/tool-args.ts';

export interface ToolArgsFormProps {
  fields: readonly ArgField[];
  drafts: Drafts;
  errors: Record<string, string>;
  onChange: (drafts: Drafts) => void;
}

const TYPE_HINT: Record<ArgField['kind'], string> = {
  string: 'text',
  text: 'text',
  number: 'number',
  integer: 'whole number',
  boolean: 'true / false',
  enum: 'one of',
  json: 'JSON',
};

/** The inputs for a tool's arguments, one per property of its input schema (fields from `fieldsOf`). */
export function ToolArgsForm({ fields, drafts, errors, onChange }: ToolArgsFormProps) {
  if (fields.length === 0) return <p className="muted small">This tool takes no arguments.</p>;
  const set = (name: string, value: string | boolean) => onChange({ ...drafts, [name]: value });
  return (
    <div className="tool-args" data-testid="tool-args">
      {fields.map((f) => {
        const id = `arg-${f.name}`;
        const error = errors[f.name];
        const draft = drafts[f.name];
        const text = typeof draft === 'string' ? draft : '';
        const common = {
          id,
          name: id,
          'aria-required': f.required,
          'aria-invalid': Boolean(error),
          ...(error || f.description ? { 'aria-describedby': `${id}-hint` } : {}),
        };
        let input: React.ReactNode;
        if (f.kind === 'boolean' && f.required)
          input = <input type="checkbox" {...common} checked={draft === true} onChange={(e) => set(f.name, e.target.checked)} />;
        else if (f.kind === 'boolean' || f.kind === 'enum') {
          const options = f.kind === 'boolean' ? ['true', 'false'] : (f.options ?? []).map(String);
          input = (
            <select {...common} value={text} onChange={(e) => set(f.name, e.target.value)}>
              {!f.required || text === '' ? <option value="">{f.required ? 'Choose…' : 'not set'}</option> : null}
              {options.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          );
        } else if (f.kind === 'text' || f.kind === 'json')
          input = (
            <textarea
              {...common}
              rows={f.kind === 'json' ? 2 : 3}
              className={f.kind === 'json' ? 'mono' : undefined}
              value={text}
              onChange={(e) => set(f.name, e.target.value)}
            />
          );
        else
          input = (
            <input
              {...common}
              type="text"
              inputMode={f.kind === 'integer' ? 'numeric' : f.kind === 'number' ? 'decimal' : 'text'}
              autoComplete="off"
              value={text}
              onChange={(e) => set(f.name, e.target.value)}
            />
          );
        return (
          <div key={f.name} className={`field tool-arg${f.kind === 'boolean' && f.required ? ' inline' : ''}`} data-arg={f.name} data-kind={f.kind}>
            <label htmlFor={id}>
              <span className="mono">{f.name}</span>
              {f.required ? (
                <span className="required" title="required">
                  {' '}
                  *<span className="visually-hidden"> (required)</span>
                </span>
              ) : null}{' '}
              <span className="muted small">
                {TYPE_HINT[f.kind]}
                {f.kind === 'enum' ? ` ${f.options?.join(' · ')}` : ''}
              </span>
            </label>
            {input}
            {error ? (
              <span id={`${id}-hint`} className="field-error" role="alert">
                {error}
              </span>
            ) : f.description ? (
              <span id={`${id}-hint`} className="hint">
                {f.description}
              </span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
