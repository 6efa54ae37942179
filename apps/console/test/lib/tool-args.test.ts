import { describe, expect, it } from 'vitest';
import { argsFrom, draftsFrom, fieldsOf, parseRawArgs } from '../../src/lib/tool-args.ts';

const schema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['open', 'done'], description: 'Filter by status' },
    query: { type: 'string', description: 'Words to look for' },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
    score: { type: 'number' },
    archived: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    note: { type: ['string', 'null'] },
  },
  required: ['query'],
};

describe('tool arguments from a JSON Schema', () => {
  it('lists the fields, required first, with their kinds', () => {
    const fields = fieldsOf(schema);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['query', 'string', true],
      ['status', 'enum', false],
      ['limit', 'integer', false],
      ['score', 'number', false],
      ['archived', 'boolean', false],
      ['tags', 'json', false],
      ['note', 'string', false],
    ]);
    expect(fields.find((f) => f.name === 'status')?.options).toEqual(['open', 'done']);
    expect(fieldsOf({ type: 'object' })).toEqual([]);
    expect(fieldsOf(undefined)).toEqual([]);
  });

  it('turns drafts into typed arguments, leaving out empty optional fields', () => {
    const fields = fieldsOf(schema);
    const drafts = { ...draftsFrom(fields), query: 'onboarding', status: 'done', score: '0.5', archived: 'true', tags: '["a"]' };
    expect(draftsFrom(fields).limit).toBe('10');
    // An optional boolean left "not set" is left out: the server's default applies.
    expect(argsFrom(fields, { query: 'q', archived: '' })).toEqual({ ok: true, args: { query: 'q' } });
    expect(argsFrom(fields, { query: 'q', archived: 'false' })).toEqual({ ok: true, args: { query: 'q', archived: false } });
    expect(argsFrom(fieldsOf({ properties: { on: { type: 'boolean' } }, required: ['on'] }), { on: false })).toEqual({ ok: true, args: { on: false } });
    expect(argsFrom(fields, drafts)).toEqual({
      ok: true,
      args: { query: 'onboarding', status: 'done', limit: 10, score: 0.5, archived: true, tags: ['a'] },
    });
  });

  it('names each field that is wrong', () => {
    const fields = fieldsOf(schema);
    const r = argsFrom(fields, { query: ' ', limit: '2.5', score: 'x', tags: '[' });
    expect(r).toEqual({ ok: false, errors: { query: 'Required.', limit: 'Must be a whole number.', score: 'Not a number.', tags: 'Not valid JSON.' } });
    expect(argsFrom(fields, { query: 'q', limit: '99' })).toEqual({ ok: false, errors: { limit: 'At most 50.' } });
  });

  it('round-trips arguments through the drafts (switching between the form and raw JSON)', () => {
    const fields = fieldsOf(schema);
    const args = { query: 'q', status: 'open', limit: 3, archived: true, tags: ['x', 'y'] };
    expect(argsFrom(fields, draftsFrom(fields, args))).toEqual({ ok: true, args });
  });

  it('accepts raw JSON objects only', () => {
    expect(parseRawArgs('{"a": 1}')).toEqual({ ok: true, args: { a: 1 } });
    expect(parseRawArgs('')).toEqual({ ok: true, args: {} });
    expect(parseRawArgs('[1]')).toMatchObject({ ok: false });
    expect(parseRawArgs('{')).toMatchObject({ ok: false });
  });
});
