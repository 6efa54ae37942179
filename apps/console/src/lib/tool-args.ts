/**
 * A tool's arguments as a form, from the JSON Schema the server lists with the tool (MCP `tools/list`,
 * `inputSchema`, JSON Schema 2020-12). Pure: fields from a schema, drafts to arguments and back.
 * Covers what tool schemas use in practice — strings, numbers, integers, booleans, enums, required —
 * and leaves anything else (arrays, objects, unions) to a JSON field of its own.
 */

export type FieldKind = 'string' | 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface ArgField {
  name: string;
  kind: FieldKind;
  required: boolean;
  title?: string;
  description?: string;
  /** For `enum`: the allowed values (strings, numbers or booleans), in schema order. */
  options?: ReadonlyArray<string | number | boolean>;
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

/** What the user typed, per field: text for inputs, selects and JSON fields, a boolean for a required checkbox. */
export type Drafts = Record<string, string | boolean>;

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(s: Schema): FieldKind {
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return 'enum';
  // `type: ["string", "null"]` is an optional string.
  const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t) => t !== 'null');
  const t = types.length === 1 ? types[0] : undefined;
  if (t === 'string') return (typeof s.maxLength === 'number' && s.maxLength > 200) || s.format === 'textarea' ? 'text' : 'string';
  if (t === 'integer') return 'integer';
  if (t === 'number') return 'number';
  if (t === 'boolean') return 'boolean';
  return 'json';
}

/** The fields of an object schema, required ones first (each group in schema order). */
export function fieldsOf(schema: unknown): ArgField[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const fields = Object.entries(schema.properties).map(([name, raw]): ArgField => {
    const s = isObject(raw) ? raw : {};
    const kind = kindOf(s);
    return {
      name,
      kind,
      required: required.has(name),
      ...(typeof s.title === 'string' ? { title: s.title } : {}),
      ...(typeof s.description === 'string' ? { description: s.description } : {}),
      ...(kind === 'enum' ? { options: s.enum as Array<string | number | boolean> } : {}),
      ...('default' in s ? { default: s.default } : {}),
      ...(typeof s.minimum === 'number' ? { minimum: s.minimum } : {}),
      ...(typeof s.maximum === 'number' ? { maximum: s.maximum } : {}),
    };
  });
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

/** Drafts that show `args` (or the schema's defaults) in the form. */
export function draftsFrom(fields: readonly ArgField[], args: Record<string, unknown> = {}): Drafts {
  const drafts: Drafts = {};
  for (const f of fields) {
    const v = f.name in args ? args[f.name] : f.default;
    // A required boolean is a checkbox; an optional one has three states: not set, true, false.
    if (f.kind === 'boolean' && f.required) drafts[f.name] = v === true;
    else if (f.kind === 'boolean') drafts[f.name] = typeof v === 'boolean' ? String(v) : '';
    else if (v === undefined) drafts[f.name] = '';
    else if (f.kind === 'json') drafts[f.name] = JSON.stringify(v);
    else drafts[f.name] = String(v);
  }
  return drafts;
}

export type ArgsResult = { ok: true; args: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/**
 * Arguments from drafts. An empty optional field is left out (the server applies its default); an
 * empty required one is an error; numbers must parse; JSON fields must be JSON.
 */
export function argsFrom(fields: readonly ArgField[], drafts: Drafts): ArgsResult {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const d = drafts[f.name];
    if (f.kind === 'boolean') {
      if (typeof d === 'boolean' || f.required) args[f.name] = d === true || d === 'true';
      else if (d === 'true' || d === 'false') args[f.name] = d === 'true';
      continue;
    }
    const text = typeof d === 'string' ? d : '';
    if (text.trim() === '') {
      if (f.required) errors[f.name] = 'Required.';
      continue;
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n)) errors[f.name] = 'Not a number.';
      else if (f.kind === 'integer' && !Number.isInteger(n)) errors[f.name] = 'Must be a whole number.';
      else if (f.minimum !== undefined && n < f.minimum) errors[f.name] = `At least ${f.minimum}.`;
      else if (f.maximum !== undefined && n > f.maximum) errors[f.name] = `At most ${f.maximum}.`;
      else args[f.name] = n;
    } else if (f.kind === 'enum') {
      const match = f.options?.find((o) => String(o) === text);
      if (match === undefined) errors[f.name] = `One of ${f.options?.join(', ')}.`;
      else args[f.name] = match;
    } else if (f.kind === 'json') {
      try {
        args[f.name] = JSON.parse(text);
      } catch {
        errors[f.name] = 'Not valid JSON.';
      }
    } else args[f.name] = text;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, args };
}

/** Raw JSON arguments: one JSON object. */
export function parseRawArgs(text: string): ArgsResult {
  try {
    const parsed = JSON.parse(text.trim() || '{}') as unknown;
    if (!isObject(parsed)) return { ok: false, errors: { '': 'Arguments must be a JSON object.' } };
    return { ok: true, args: parsed };
  } catch (e) {
    return { ok: false, errors: { '': `Not valid JSON: ${(e as Error).message}` } };
  }
}
