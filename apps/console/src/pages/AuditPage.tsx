import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { useNavigate } from 'react-router';
import { idp } from '../api/admin.ts';
import type { PlaygroundInfo } from '../api/bff.ts';
import { type AuditFilter, AuditLog } from '../components/AuditLog/AuditLog.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import type { FlowLogState } from '../state/flow-log-state.ts';

export function AuditPage({ state }: { playground: PlaygroundInfo; state: FlowLogState }) {
  const [filter, setFilter] = useState<AuditFilter>({ q: '', step: '', outcome: '' });
  const f = useDeferredValue(filter);
  const navigate = useNavigate();
  const audit = useQuery({ queryKey: ['idp', 'audit', f], queryFn: () => idp.audit(f), placeholderData: keepPreviousData, refetchInterval: 5000 });
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every admin change and every token decision the IdP made, with the rule and the jti — never a usable token. Search it, export it as CSV or JSON."
      />
      {audit.isPending ? (
        <Loading />
      ) : audit.error ? (
        <ErrorState title="Could not load the audit log" error={audit.error} onRetry={() => audit.refetch()} />
      ) : (
        <AuditLog
          entries={audit.data}
          filter={filter}
          onFilter={setFilter}
          onOpenTrace={(traceId) => {
            state.setFilter({ traceId });
            navigate('/flows');
          }}
          onExport={(format) => {
            const a = document.createElement('a');
            a.href = idp.auditExportUrl(format, f);
            a.download = `xaa-audit.${format}`;
            document.body.appendChild(a);
            a.click();
            a.remove();
          }}
        />
      )}
    </>
  );
}
