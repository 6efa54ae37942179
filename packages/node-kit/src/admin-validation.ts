/**
 * Admin request validation shared by every admin API: a schema library's issues (zod's shape:
 * `code`, `path`, `message`, and `keys` for unknown fields) become one `fields` map — field path →
 * what is wrong — and one RFC 6749 §5.2-shaped `invalid_request` body (docs/contracts.md "Admin APIs").
 */
export interface ValidationIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

/** Field path → message; unknown fields are errors too ("Unknown field."). */
export function validationFields(issues: readonly ValidationIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) fields[[...issue.path, key].map(String).join('.')] = 'Unknown field.';
    } else {
      const key = issue.path.map(String).join('.') || '(body)';
      fields[key] ??= issue.message;
    }
  }
  return fields;
}

/** The 400 body of a request that failed validation. */
export function invalidRequestBody(issues: readonly ValidationIssue[]): {
  error: 'invalid_request';
  error_description: string;
  fields: Record<string, string>;
} {
  const fields = validationFields(issues);
  return { error: 'invalid_request', error_description: `The request is invalid: ${Object.keys(fields).join(', ')}.`, fields };
}
