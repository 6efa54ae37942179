import { useEffect, useState } from 'react';
import { api } from '../api/bff.ts';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { TokenInspector, type VerifyState } from '../components/TokenInspector/TokenInspector.tsx';

export function InspectorPage({ initialToken = '' }: { initialToken?: string }) {
  const [token, setToken] = useState(initialToken);
  const [verify, setVerify] = useState<VerifyState>({ state: 'idle' });
  useEffect(() => {
    const t = token.trim();
    if (t?.split('.').length !== 3) {
      setVerify({ state: 'idle' });
      return;
    }
    const abort = new AbortController();
    setVerify({ state: 'checking' });
    const timer = setTimeout(() => {
      api<Record<string, unknown>>('/api/inspect/verify', { method: 'POST', body: { token: t }, signal: abort.signal })
        .then((r) => setVerify({ state: 'done', ...(r as object) } as VerifyState))
        .catch((e: Error) => !abort.signal.aborted && setVerify({ state: 'failed', message: e.message }));
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [token]);
  return (
    <>
      <PageHeader
        title="Token inspector"
        description="Decode a JWT, see each claim explained, check its signature against the playground issuers' JWKS and lint it against the ID-JAG rules, each with its spec reference."
      />
      <TokenInspector token={token} onTokenChange={setToken} verify={verify} />
    </>
  );
}
