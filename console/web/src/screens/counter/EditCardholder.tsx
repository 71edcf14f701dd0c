import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CardholderDetail } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import {
  cardholderEdit,
  editFormOf,
  type EditForm,
  type EditProblem,
} from '../../lib/cardholder-edit';
import { cityDate } from '../../lib/dates';
import { checkIdNumber } from '../../lib/id-number';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Alert, ErrorAlert, Loading, Section, SelectField, TextField } from '../../ui/ui';
import { useIdMessage } from './RegisterCardholder';

/** Change a cardholder's name, phone or identity details, against the version read. */
export function EditCardholder({
  cardholderId,
  onClose,
}: {
  readonly cardholderId: string;
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const holder = useAsync(
    () => api.get<CardholderDetail>('issuance', `/cardholders/${cardholderId}`),
    [api, cardholderId],
  );
  const [saved, setSaved] = useState<CardholderDetail | null>(null);
  // The answer to a save is the version now in force: the next edit starts from it.
  const current = saved ?? holder.data;
  return (
    <Section title={t('editHolder.title')}>
      {current === undefined ? (
        holder.loading ? (
          <Loading />
        ) : (
          <ErrorAlert error={holder.error} />
        )
      ) : (
        <EditForm key={current.version} holder={current} onSaved={setSaved} onClose={onClose} />
      )}
      {saved !== null && (
        <Alert tone="success">{t('editHolder.saved', { name: saved.name })}</Alert>
      )}
    </Section>
  );
}

function EditForm({
  holder,
  onSaved,
  onClose,
}: {
  readonly holder: CardholderDetail;
  readonly onSaved: (h: CardholderDetail) => void;
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState<EditForm>(() => editFormOf(holder));
  const [tried, setTried] = useState(false);
  const resident = form.documentType === 'resident_id';
  const check =
    form.changeIdentity && resident ? checkIdNumber(form.number, cityDate(new Date())) : null;
  const idMessage = useIdMessage(check ?? { state: 'empty' });
  const result = cardholderEdit(holder, form, check);
  const problems: readonly EditProblem[] = tried && !result.ok ? result.problems : [];
  const problem = (field: EditProblem['field']): string | undefined => {
    const p = problems.find((x) => x.field === field);
    if (p === undefined) return undefined;
    return p.field === 'reason' ? t(`reason.${p.problem}`) : t(`editHolder.${p.problem}`);
  };
  const set = (key: keyof EditForm) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTried(true);
    if (!result.ok) return;
    void action.run(async () => {
      onSaved(
        await api.patch<CardholderDetail>('issuance', `/cardholders/${holder.id}`, result.body),
      );
    });
  };

  return (
    <form onSubmit={submit} aria-label={t('editHolder.title')} noValidate>
      <p>
        {t('editHolder.current', { document: holder.maskedIdNumber, date: holder.dateOfBirth })}
      </p>
      <TextField
        label={t('cardholders.name')}
        value={form.name}
        onChange={set('name')}
        problem={problem('name')}
      />
      <TextField
        label={t('cardholders.phone')}
        type="tel"
        value={form.phone}
        onChange={set('phone')}
        problem={problem('phone')}
        hint={t('editHolder.phoneHint')}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={form.changeIdentity}
          onChange={(e) => setForm({ ...form, changeIdentity: e.target.checked })}
        />{' '}
        {t('editHolder.changeIdentity')}
      </label>
      {form.changeIdentity && (
        <fieldset>
          <legend>{t('editHolder.identity')}</legend>
          <SelectField
            label={t('cardholders.documentType')}
            value={form.documentType}
            onChange={set('documentType')}
          >
            <option value="resident_id">{t('documentType.resident_id')}</option>
            <option value="passport">{t('documentType.passport')}</option>
            <option value="other">{t('documentType.other')}</option>
          </SelectField>
          <TextField
            label={t('cardholders.documentNumber')}
            autoComplete="off"
            value={form.number}
            onChange={set('number')}
            aria-live="polite"
            hint={check?.state === 'valid' || check?.state === 'typing' ? idMessage : undefined}
            problem={check?.state === 'invalid' ? idMessage : problem('number')}
          />
          {form.documentType === 'passport' && (
            <TextField
              label={t('cardholders.country')}
              value={form.country}
              onChange={set('country')}
              problem={problem('country')}
              hint={t('cardholders.countryHint')}
            />
          )}
          {!resident && (
            <>
              <TextField
                label={t('cardholders.dateOfBirth')}
                type="date"
                value={form.dateOfBirth}
                onChange={set('dateOfBirth')}
                problem={problem('dateOfBirth')}
              />
              <SelectField label={t('cardholders.sex')} value={form.sex} onChange={set('sex')}>
                <option value="">—</option>
                <option value="M">{t('sex.M')}</option>
                <option value="F">{t('sex.F')}</option>
                <option value="X">{t('sex.X')}</option>
              </SelectField>
            </>
          )}
        </fieldset>
      )}
      <TextField
        label={t('editHolder.reason')}
        value={form.reason}
        onChange={set('reason')}
        problem={problem('reason')}
        hint={t('editHolder.reasonHint')}
      />
      {problem('form') !== undefined && <Alert tone="info">{problem('form')}</Alert>}
      <ErrorAlert error={action.error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={action.busy}>
          {t('editHolder.submit')}
        </button>
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </form>
  );
}
