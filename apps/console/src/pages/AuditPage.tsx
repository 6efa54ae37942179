import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { idp } from '../api/admin.ts';
import type { PlaygroundInfo } from '../api/bff.ts';
import { AuditLog } from '../components/AuditLog/AuditLog.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';

export function AuditPage(_: { playground: PlaygroundInfo }) {
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState('');
  const q = useDeferredValue(query);
  const audit = useQuery({
    queryKey: ['idp', 'audit', q, kind],
    queryFn: () => idp.audit({ q, kind }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every admin change and every token decision the IdP made, with the rule and the jti — never a usable token. Search it, export it."
      />
      {audit.isPending ? (
        <Loading />
      ) : audit.error ? (
        <ErrorState title="Could not load the audit log" error={audit.error} onRetry={() => audit.refetch()} />
      ) : (
        <AuditLog
          entries={audit.data.entries}
          total={audit.data.total}
          query={query}
          kind={kind}
          onQuery={setQuery}
          onKind={setKind}
          onExport={(format) => {
            const a = document.createElement('a');
            a.href = idp.auditExportUrl(format, { q, kind });
            a.download = `xaa-audit.${format}`;
            a.click();
          }}
        />
      )}
    </>
  );
}
