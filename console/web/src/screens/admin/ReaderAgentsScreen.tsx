import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Branch, Counter, ReaderAgent } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { href } from '../../lib/router';
import { useReader } from '../../reader/reader-context';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import {
  Alert,
  DateTime,
  ErrorAlert,
  ListState,
  PageTitle,
  Section,
  SelectField,
  TextField,
} from '../../ui/ui';

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

interface Place {
  readonly branch: Branch;
  readonly counter: Counter;
}

/** Every open branch's counters, to name where an agent stands and to pick a counter for one. */
function usePlaces() {
  const api = useApi();
  return useAsync(async () => {
    const branches = await api.get<{ items: Branch[] }>('issuance', '/branches');
    const lists = await Promise.all(
      branches.items.map((branch) =>
        api
          .get<{ items: Counter[] }>('issuance', `/branches/${branch.id}/counters`)
          .then((r) => r.items.map((counter) => ({ branch, counter }))),
      ),
    );
    return new Map<string, Place>(lists.flat().map((p) => [p.counter.id, p]));
  }, [api]);
}

/** Reader agents registered at counters, and setting this workstation up with one of them. */
export function ReaderAgentsScreen() {
  const { t } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const admin = hasRole('admin');
  const places = usePlaces();
  const list = useAsync(
    () => api.get<{ items: ReaderAgent[] }>('issuance', '/reader-agents').then((r) => r.items),
    [api],
  );
  const action = useAction();
  const where = (counterId: string): string => {
    const p = places.data?.get(counterId);
    return p === undefined ? counterId : `${p.branch.name} · ${p.counter.name} (${p.counter.code})`;
  };
  const toggle = (a: ReaderAgent): void =>
    void action.run(async () => {
      await api.post(
        'issuance',
        `/reader-agents/${encodeURIComponent(a.id)}/${a.enabled ? 'disable' : 'enable'}`,
      );
      list.reload();
    });

  return (
    <div>
      <PageTitle>{t('agents.title')}</PageTitle>
      <p>{t('agents.intro')}</p>
      <ErrorAlert error={list.error ?? places.error ?? action.error} />
      <ListState state={list} empty={t('agents.none')}>
        {(rows) => (
          <table data-testid="reader-agents">
            <caption>{t('agents.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('agents.id')}</th>
                <th scope="col">{t('agents.counter')}</th>
                <th scope="col">{t('common.state')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id}>
                  <td className="mono">{a.id}</td>
                  <td>{where(a.counterId)}</td>
                  <td>{a.enabled ? t('common.enabled') : t('common.disabled')}</td>
                  <td>
                    <DateTime value={a.createdAt} />
                  </td>
                  <td>
                    <div className="buttons">
                      <UseHere agent={a} />
                      {admin && (
                        <button type="button" onClick={() => toggle(a)} disabled={action.busy}>
                          {a.enabled
                            ? t('agents.disable', { id: a.id })
                            : t('agents.enable', { id: a.id })}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {admin && (
        <RegisterAgent places={[...(places.data?.values() ?? [])]} onRegistered={list.reload} />
      )}
    </div>
  );
}

/** Fills this workstation's settings with the agent and its counter. */
function UseHere({ agent }: { readonly agent: ReaderAgent }) {
  const { t } = useI18n();
  const reader = useReader();
  const [done, setDone] = useState(false);
  const inUse =
    reader.workstation.agentId === agent.id && reader.workstation.counterId === agent.counterId;
  const use = (): void => {
    reader.saveWorkstation({
      ...reader.workstation,
      agentId: agent.id,
      counterId: agent.counterId,
    });
    setDone(true);
  };
  if (inUse && !done) return <span>{t('agents.inUse')}</span>;
  if (done) {
    return (
      <span role="status">
        {t('agents.usedHere')} <a href={href('/settings')}>{t('agents.tokenNext')}</a>
      </span>
    );
  }
  return (
    <button type="button" onClick={use} disabled={!agent.enabled}>
      {t('agents.useHere', { id: agent.id })}
    </button>
  );
}

function RegisterAgent({
  places,
  onRegistered,
}: {
  readonly places: readonly Place[];
  readonly onRegistered: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [id, setId] = useState('');
  const [counterId, setCounterId] = useState('');
  const [registered, setRegistered] = useState<ReaderAgent | null>(null);
  const idProblem =
    id.trim() !== '' && !AGENT_ID.test(id.trim()) ? t('agents.idInvalid') : undefined;
  const ready = AGENT_ID.test(id.trim()) && counterId !== '';
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!ready) return;
    void action.run(async () => {
      const agent = await api.post<ReaderAgent>('issuance', '/reader-agents', {
        id: id.trim(),
        counterId,
      });
      setRegistered(agent);
      setId('');
      onRegistered();
    });
  };
  return (
    <Section title={t('agents.register')}>
      <form onSubmit={submit} className="inline" aria-label={t('agents.register')}>
        <TextField
          label={t('agents.id')}
          value={id}
          autoComplete="off"
          onChange={(e) => {
            setRegistered(null);
            setId(e.target.value);
          }}
          problem={idProblem}
          hint={t('agents.idHint')}
        />
        <SelectField
          label={t('agents.counter')}
          value={counterId}
          onChange={(e) => setCounterId(e.target.value)}
        >
          <option value="">—</option>
          {places
            .filter((p) => p.counter.active)
            .map((p) => (
              <option key={p.counter.id} value={p.counter.id}>
                {p.branch.name} · {p.counter.name} ({p.counter.code})
              </option>
            ))}
        </SelectField>
        <button type="submit" disabled={!ready || action.busy}>
          {t('agents.registerSubmit')}
        </button>
      </form>
      <ErrorAlert error={action.error} />
      {registered !== null && (
        <Alert tone="success">
          {t('agents.registered', { id: registered.id })} <UseHere agent={registered} />
        </Alert>
      )}
    </Section>
  );
}
