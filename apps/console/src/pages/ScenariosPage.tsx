import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { scenarios } from '../api/scenarios.ts';
import { EmptyState } from '../components/EmptyState/EmptyState.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { ScenarioList } from '../components/ScenarioList/ScenarioList.tsx';
import { ScenarioRunner } from '../components/ScenarioRunner/ScenarioRunner.tsx';
import { useNow, useStoryRun } from '../hooks/use-scenario-run.ts';
import type { FlowLogState } from '../state/flow-log-state.ts';
import '../styles/scenarios.css';

export function useScenarioList() {
  return useQuery({ queryKey: ['scenarios'], queryFn: scenarios.list, staleTime: Number.POSITIVE_INFINITY });
}

export function ScenariosPage({ state }: { state: FlowLogState }) {
  const list = useScenarioList();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const now = useNow();
  const storyId = params.get('story') ?? list.data?.[0]?.id;
  const story = list.data?.find((s) => s.id === storyId);
  const { store, snapshot } = useStoryRun(story, params.get('run'), (runId) => {
    if (story && runId) setParams({ story: story.id, run: runId }, { replace: true });
  });

  return (
    <>
      <PageHeader
        title="Scenarios"
        description="Scripted stories that drive the running playground step by step, each with a line for the presenter. Every step is a real flow: open its trace in the live view, or present the story full-screen."
      />
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No scenarios" />
      ) : (
        <div className="scenarios-layout">
          <ScenarioList scenarios={list.data} selected={story?.id} onSelect={(id) => setParams({ story: id })} />
          {story && store && snapshot ? (
            <ScenarioRunner
              scenario={story}
              run={snapshot}
              now={now}
              presentHref={`/present/${encodeURIComponent(story.id)}${snapshot.runId ? `?run=${encodeURIComponent(snapshot.runId)}` : ''}`}
              onNext={() => void store.next()}
              onRunToEnd={() => void store.runToEnd()}
              onStop={() => store.stop()}
              onRestart={() => void store.restart()}
              onOpenTrace={(traceId) => {
                state.setFilter({ traceId });
                navigate('/flows');
              }}
            />
          ) : (
            <ErrorState title="No such story" error={`There is no scenario ${JSON.stringify(storyId)}; pick one from the list.`} />
          )}
        </div>
      )}
    </>
  );
}
