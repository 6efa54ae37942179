import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dashValuesJoined } from '../src/cli-args.ts';

const options = {
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const parse = (args: string[]) => parseArgs({ args: dashValuesJoined(args, options), options, strict: true, allowPositionals: true });

describe('dashValuesJoined', () => {
  it('reads a string value that begins with a dash as the value (a base64url secret, about one in 64)', () => {
    const raw = ['--client-id', 'acme', '--client-secret', '-Xq3_kd8', '--json'];
    // What the joining fixes: parseArgs alone refuses it.
    expect(() => parseArgs({ args: raw, options, strict: true })).toThrow(/ambiguous/);
    expect(parse(raw).values).toEqual({ 'client-id': 'acme', 'client-secret': '-Xq3_kd8', json: true });
  });

  it('a value that is itself an option is not taken: a forgotten value is still refused', () => {
    expect(dashValuesJoined(['--client-id', '--json'], options)).toEqual(['--client-id', '--json']);
    expect(dashValuesJoined(['--client-secret', '-h'], options)).toEqual(['--client-secret', '-h']);
    expect(() => parse(['--client-id', '--json'])).toThrow();
  });

  it('leaves boolean options, `--name=value`, plain values, a double-dash value and everything after `--` alone', () => {
    expect(dashValuesJoined(['--json', '-x'], options)).toEqual(['--json', '-x']);
    expect(dashValuesJoined(['--client-secret=-x'], options)).toEqual(['--client-secret=-x']);
    expect(dashValuesJoined(['--client-secret', 'plain'], options)).toEqual(['--client-secret', 'plain']);
    expect(dashValuesJoined(['--client-secret', '--x'], options)).toEqual(['--client-secret', '--x']);
    expect(dashValuesJoined(['--', '--client-secret', '-x'], options)).toEqual(['--', '--client-secret', '-x']);
  });
});
