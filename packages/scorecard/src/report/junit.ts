/**
 * JUnit XML for CI (the de-facto schema Jenkins, GitLab and GitHub reporters read): one
 * `<testsuite>` per report, one `<testcase>` per case; `fail` becomes `<failure>`, `error` becomes
 * `<error>`, `skip` becomes `<skipped>`, and a `warn` passes with its reason in `<system-out>`.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { type CaseResult, plainText as clean, type ScorecardReport } from './types.ts';

function details(c: CaseResult): string {
  return clean(
    [
      `mutated:  ${c.mutated}`,
      `expected: ${c.expected}`,
      `answered: ${c.answered}`,
      ...(c.reason ? [`reason:   ${c.reason}`] : []),
      `why:      ${c.why}`,
      `spec:     ${c.specRef}`,
    ].join('\n'),
  );
}

function testcase(report: ScorecardReport, c: CaseResult) {
  const node: Record<string, unknown> = {
    '@_classname': `xaa.${report.kind}.${c.group}`,
    '@_name': clean(`${c.id}: ${c.title}`),
    '@_time': (c.durationMs / 1000).toFixed(3),
  };
  const message = clean(c.reason ?? `expected ${c.expected}; answered ${c.answered}`);
  if (c.outcome === 'fail') node.failure = { '@_message': message, '@_type': c.level === 'must' ? 'MUST' : 'SHOULD', '#text': details(c) };
  else if (c.outcome === 'error') node.error = { '@_message': message, '@_type': 'inconclusive', '#text': details(c) };
  else if (c.outcome === 'skip') node.skipped = { '@_message': message };
  node['system-out'] = details(c);
  return node;
}

export function renderJunit(reports: ScorecardReport | readonly ScorecardReport[]): string {
  const list: readonly ScorecardReport[] = Array.isArray(reports) ? reports : [reports as ScorecardReport];
  const total = (f: (r: ScorecardReport) => number) => list.reduce((n, r) => n + f(r), 0);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'xaa scorecard',
      '@_tests': total((r) => r.summary.total),
      '@_failures': total((r) => r.summary.failed),
      '@_errors': total((r) => r.summary.errors),
      '@_skipped': total((r) => r.summary.skipped),
      '@_time': (total((r) => r.durationMs) / 1000).toFixed(3),
      testsuite: list.map((r) => ({
        '@_name': clean(r.title),
        '@_tests': r.summary.total,
        '@_failures': r.summary.failed,
        '@_errors': r.summary.errors,
        '@_skipped': r.summary.skipped,
        '@_time': (r.durationMs / 1000).toFixed(3),
        '@_timestamp': r.startedAt,
        properties: {
          property: [
            { '@_name': 'score', '@_value': `${r.summary.score}%` },
            ...Object.entries(r.target).map(([name, value]) => ({
              '@_name': clean(name),
              '@_value': clean(typeof value === 'string' ? value : JSON.stringify(value)),
            })),
          ],
        },
        testcase: r.cases.map((c) => testcase(r, c)),
      })),
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: true,
    processEntities: true,
  });
  return builder.build(doc) as string;
}
