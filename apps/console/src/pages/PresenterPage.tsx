import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { Presenter } from '../components/Presenter/Presenter.tsx';
import { useNow, useStoryRun } from '../hooks/use-scenario-run.ts';
import { useScenarioList } from './ScenariosPage.tsx';
import '../styles/scenarios.css';

/** `/present/:scenarioId`: the story full-screen, outside the console's shell. */
export function PresenterPage() {
  const { scenarioId } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const list = useScenarioList();
  const now = useNow();
  const story = list.data?.find((s) => s.id === scenarioId);
  const { store, snapshot } = useStoryRun(story, params.get('run'), (runId) => {
    if (runId) setParams({ run: runId }, { replace: true });
  });
  const back = () => navigate(`/scenarios?story=${encodeURIComponent(scenarioId ?? '')}${snapshot?.runId ? `&run=${encodeURIComponent(snapshot.runId)}` : ''}`);

  if (list.isPending) return <Loading label="Opening the story…" />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  if (!story || !store || !snapshot)
    return <ErrorState title="No such story" error={`There is no scenario ${JSON.stringify(scenarioId)}.`} onRetry={() => navigate('/scenarios')} />;
  return <Presenter scenario={story} run={snapshot} now={now} onNext={() => void store.next()} onRestart={() => void store.restart()} onExit={back} />;
}
