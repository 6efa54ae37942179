import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { FlowEvent } from '@xaa/protocol';
import { useDeferredValue, useState } from 'react';
import { useNavigate } from 'react-router';
import { idp } from '../api/admin.ts';
import { api, type PlaygroundInfo } from '../api/bff.ts';
import { type AuditFilter, AuditLog } from '../components/AuditLog/AuditLog.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { auditCsv, matchesAudit, tokenFree } from '../lib/audit-export.ts';
import type { FlowLogState } from '../state/flow-log-state.ts';

function download(name: string, type: string, text: string) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function AuditPage({ playground, state }: { playground: PlaygroundInfo; state: FlowLogState }) {
  const [filter, setFilter] = useState<AuditFilter>({ q: '', step: '', outcome: '' });
  const [source, setSource] = useState('idp');
  const f = useDeferredValue(filter);
  const navigate = useNavigate();
  const sources = [
    { id: 'idp', label: 'IdP audit (persisted)' },
    ...playground.servers.map((s) => ({ id: s.name, label: `${s.title} AS + server (recent)` })),
    { id: 'agent', label: 'Sample client (recent)' },
  ];
  const audit = useQuery({
    queryKey: ['audit', source, f],
    queryFn: async (): Promise<FlowEvent[]> => {
      if (source === 'idp') return idp.audit(f);
      const path = source === 'agent' ? '/api/agent/events?limit=2000' : `/api/servers/${encodeURIComponent(source)}/events?limit=2000`;
      const body = await api<{ events?: FlowEvent[] }>(path);
      return (body.events ?? []).filter((e) => matchesAudit(e, f)).reverse();
    },
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every admin change and every token decision, with the rule and the jti — never a usable token. The IdP keeps its audit; the servers and the client show their recent events. Search it, export it as CSV or JSON."
      />
      {audit.isPending ? (
        <Loading />
      ) : audit.error ? (
        <ErrorState title="Could not load the audit log" error={audit.error} onRetry={() => audit.refetch()} />
      ) : (
        <AuditLog
          sources={sources}
          source={source}
          onSource={setSource}
          entries={audit.data}
          filter={filter}
          onFilter={setFilter}
          onOpenTrace={(traceId) => {
            state.setFilter({ traceId });
            navigate('/flows');
          }}
          onExport={(format) => {
            if (source === 'idp') {
              const a = document.createElement('a');
              a.href = idp.auditExportUrl(format, f);
              a.download = `xaa-audit.${format}`;
              document.body.appendChild(a);
              a.click();
              a.remove();
              return;
            }
            const rows = tokenFree(audit.data);
            if (format === 'csv') download(`xaa-audit-${source}.csv`, 'text/csv', auditCsv(rows));
            else download(`xaa-audit-${source}.json`, 'application/json', JSON.stringify(rows, null, 2));
          }}
        />
      )}
    </>
  );
}
