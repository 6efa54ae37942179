import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError } from '../api/bff.ts';
import { type ScorecardReport as Report, scorecard } from '../api/scenarios.ts';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { EMPTY_INPUT, inputForServer, requestOf, ScorecardForm, type ScorecardInput } from '../components/ScorecardForm/ScorecardForm.tsx';
import { ScorecardReport } from '../components/ScorecardReport/ScorecardReport.tsx';
import '../styles/scorecard.css';

function download(name: string, type: string, content: string) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([content], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(a.href);
}

const fileStem = (r: Report) =>
  `xaa-as-scorecard-${String(r.target.issuer ?? 'as')
    .replace(/^https?:\/\//, '')
    .replace(/[^A-Za-z0-9.-]+/g, '-')}`;

export function ScorecardPage() {
  const targets = useQuery({ queryKey: ['scorecard-targets'], queryFn: scorecard.targets, staleTime: Number.POSITIVE_INFINITY });
  const [input, setInput] = useState<ScorecardInput>(EMPTY_INPUT);
  const first = targets.data?.targets.find((t) => t.xaa)?.server;
  useEffect(() => {
    if (first && targets.data) setInput((i) => (i === EMPTY_INPUT ? inputForServer(targets.data.targets, first) : i));
  }, [first, targets.data]);
  const run = useMutation({ mutationFn: () => scorecard.runAs(requestOf(input)) });
  const error = run.error instanceof ApiError ? run.error : undefined;

  return (
    <>
      <PageHeader
        title="AS scorecard"
        description={
          <>
            Attack an authorization server with real and broken ID-JAGs from the playground IdP — forged signatures, wrong audiences, replays, missing claims —
            and grade each answer against the spec. The same cases as <code>xaa test-as</code>.
          </>
        }
      />
      {targets.isPending ? (
        <Loading />
      ) : targets.error ? (
        <ErrorState error={targets.error} onRetry={() => targets.refetch()} />
      ) : (
        <div className="stack">
          <ScorecardForm
            targets={targets.data.targets}
            idp={targets.data.idp}
            input={input}
            onChange={(i) => {
              setInput(i);
              if (run.error) run.reset();
            }}
            onRun={() => run.mutate()}
            running={run.isPending}
            {...(run.error ? { error: error ? error.description || error.error : String(run.error) } : {})}
            {...(error?.fields ? { fields: error.fields } : {})}
          />
          {run.isPending ? <Loading label="Presenting about 40 ID-JAGs to the authorization server…" /> : null}
          {run.data && !run.isPending ? (
            <ScorecardReport
              report={run.data.report}
              onDownload={(format) => {
                const r = run.data.report;
                if (format === 'junit') download(`${fileStem(r)}.xml`, 'application/xml', run.data.junit);
                else download(`${fileStem(r)}.json`, 'application/json', `${JSON.stringify(r, null, 2)}\n`);
              }}
            />
          ) : null}
        </div>
      )}
    </>
  );
}
