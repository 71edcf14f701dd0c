import { useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import {
  Alert,
  DateTime,
  Empty,
  ErrorAlert,
  Loading,
  PageTitle,
  Section,
  TextField,
} from '../../ui/ui';

interface Entry {
  seq: string;
  at: string;
  actor: { staffId: string | null; roles: string[]; system: string | null };
  action: string;
  targetType: string;
  targetId: string;
  hash: string;
}

interface Page {
  entries: Entry[];
  nextBefore: string | null;
}

interface Verified {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: string;
  reason?: string;
}

interface Filter {
  action: string;
  targetType: string;
  targetId: string;
}

const EMPTY: Filter = { action: '', targetType: '', targetId: '' };

/** The issuance audit log, newest first, and the check of its hash chain. */
export function AuditScreen() {
  const { t } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const [form, setForm] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [before, setBefore] = useState<string | undefined>(undefined);
  const page = useAsync(
    () =>
      api.get<Page>('issuance', '/audit', {
        action: filter.action || undefined,
        targetType: filter.targetType || undefined,
        targetId: filter.targetId || undefined,
        before,
      }),
    [api, filter, before],
  );
  const verify = useAction();
  const [verified, setVerified] = useState<Verified | null>(null);
  const canVerify = hasRole('supervisor', 'auditor', 'admin');

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBefore(undefined);
    setFilter({ ...form });
  };
  const set = (key: keyof Filter) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value.trim() });

  return (
    <div>
      <PageTitle>{t('audit.title')}</PageTitle>
      <Section title={t('audit.chain')}>
        {canVerify ? (
          <button
            type="button"
            onClick={() =>
              void verify.run(async () =>
                setVerified(await api.get<Verified>('issuance', '/audit/verify')),
              )
            }
            disabled={verify.busy}
          >
            {verify.busy ? t('common.working') : t('audit.verify')}
          </button>
        ) : (
          <p className="hint">{t('audit.verifyRole')}</p>
        )}
        <ErrorAlert error={verify.error} />
        {verified?.ok === true && (
          <Alert tone="success">{t('audit.ok', { checked: verified.checked })}</Alert>
        )}
        {verified?.ok === false && (
          <Alert tone="error">
            {t('audit.broken', {
              seq: verified.firstBrokenSeq ?? '?',
              reason: verified.reason ?? '',
            })}
          </Alert>
        )}
      </Section>
      <form onSubmit={submit} className="inline" role="search" aria-label={t('audit.filter')}>
        <TextField label={t('audit.action')} value={form.action} onChange={set('action')} />
        <TextField
          label={t('audit.targetType')}
          value={form.targetType}
          onChange={set('targetType')}
        />
        <TextField label={t('audit.targetId')} value={form.targetId} onChange={set('targetId')} />
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorAlert error={page.error} />
      {page.loading && page.data === undefined && <Loading />}
      {page.data?.entries.length === 0 && <Empty>{t('audit.none')}</Empty>}
      {page.data !== undefined && page.data.entries.length > 0 && (
        <table>
          <caption>{t('audit.entries')}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('common.time')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.target')}</th>
              <th scope="col">{t('audit.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.entries.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>
                  <DateTime value={e.at} />
                </td>
                <td className="mono">{e.actor.system ?? e.actor.staffId?.slice(0, 8) ?? '—'}</td>
                <td>{e.action}</td>
                <td className="mono">
                  {e.targetType} {e.targetId.slice(0, 12)}
                </td>
                <td className="mono">{e.hash.slice(0, 12)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.data?.nextBefore != null && (
        <button type="button" onClick={() => setBefore(page.data?.nextBefore ?? undefined)}>
          {t('audit.older')}
        </button>
      )}
    </div>
  );
}
