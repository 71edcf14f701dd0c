import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Party, PartyKind } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { checkPartyForm, partyFormOf, type PartyField, type PartyForm } from '../../lib/party-form';
import { useApi } from '../../session/session';
import { useFieldProblems } from '../../ui/form-problems';
import { useAction, useAsync } from '../../ui/hooks';
import { Alert, DateTime, ErrorAlert, Loading, TextField } from '../../ui/ui';

const FIELDS: readonly PartyField[] = [
  'name',
  'bankName',
  'bankAccountName',
  'bankAccountNumber',
  'contactName',
  'contactEmail',
  'contactPhone',
];

/** One party as clearing holds it now; an administrator saves a new version of it. */
export function PartyDetail({
  partyId,
  canEdit,
  onSaved,
}: {
  readonly partyId: string;
  readonly canEdit: boolean;
  readonly onSaved: () => void;
}) {
  const { t, label } = useI18n();
  const api = useApi();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<Party | null>(null);
  const party = useAsync(
    () => api.get<Party>('clearing', `/v1/parties/${encodeURIComponent(partyId)}`),
    [api, partyId],
  );
  // The answer to a save is the version now in force: shown at once, without a second read.
  const p = saved ?? party.data;
  if (p === undefined) {
    return party.loading ? <Loading /> : <ErrorAlert error={party.error} />;
  }
  return (
    <>
      <dl className="facts" data-testid="party-detail">
        <dt>{t('parties.id')}</dt>
        <dd className="mono">{p.id}</dd>
        <dt>{t('parties.kind')}</dt>
        <dd>{label('partyKind', p.kind)}</dd>
        {FIELDS.map((f) => (
          <Fact key={f} label={t(`parties.${f}`)} value={p[f]} />
        ))}
        <dt>{t('parties.version')}</dt>
        <dd>{p.version}</dd>
        <dt>{t('parties.changedBy')}</dt>
        <dd>
          {p.changedBy} · <DateTime value={p.changedAt} />
        </dd>
      </dl>
      {saved !== null && <Alert tone="success">{t('parties.saved')}</Alert>}
      {canEdit && !editing && (
        <button
          type="button"
          onClick={() => {
            setSaved(null);
            setEditing(true);
          }}
        >
          {t('parties.edit', { name: p.name })}
        </button>
      )}
      {editing && (
        <PartyEdit
          id={p.id}
          kind={p.kind}
          initial={partyFormOf(p)}
          label={t('parties.edit', { name: p.name })}
          onSaved={(next) => {
            setEditing(false);
            setSaved(next);
            onSaved();
          }}
          onCancel={() => setEditing(false)}
        />
      )}
    </>
  );
}

function Fact({ label, value }: { readonly label: string; readonly value: string | null }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value ?? '—'}</dd>
    </>
  );
}

/** The settlement data of a party, saved as its next version (the first version creates it). */
export function PartyEdit({
  id,
  kind,
  initial,
  label,
  onSaved,
  onCancel,
}: {
  readonly id: string;
  readonly kind: PartyKind;
  readonly initial: PartyForm;
  /** The form's accessible name. */
  readonly label: string;
  readonly onSaved: (party: Party) => void;
  readonly onCancel: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState<PartyForm>(initial);
  const [tried, setTried] = useState(false);
  const checked = checkPartyForm(kind, form);
  const problem = useFieldProblems(checked.ok ? {} : checked.problems, tried, action.error);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTried(true);
    if (!checked.ok) return;
    void action.run(async () => {
      onSaved(
        await api.put<Party>('clearing', `/v1/parties/${encodeURIComponent(id)}`, checked.body),
      );
    });
  };

  return (
    <form onSubmit={submit} aria-label={label} noValidate>
      {FIELDS.map((f) => (
        <TextField
          key={f}
          label={t(`parties.${f}`)}
          name={f}
          type={f === 'contactEmail' ? 'email' : f === 'contactPhone' ? 'tel' : 'text'}
          autoComplete="off"
          value={form[f]}
          onChange={(e) => setForm({ ...form, [f]: e.target.value })}
          problem={problem(f)}
          hint={f === 'bankAccountNumber' ? t('parties.accountHint') : undefined}
        />
      ))}
      <ErrorAlert error={action.error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={action.busy}>
          {t('common.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
