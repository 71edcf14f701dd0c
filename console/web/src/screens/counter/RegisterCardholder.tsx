import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CardholderDetail } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { cityDate } from '../../lib/dates';
import { checkIdNumber, type IdCheck } from '../../lib/id-number';
import { href } from '../../lib/router';
import { useApi } from '../../session/session';
import { useAction } from '../../ui/hooks';
import { Alert, ErrorAlert, Section, SelectField, TextField } from '../../ui/ui';

type DocumentType = 'resident_id' | 'passport' | 'other';

interface Form {
  name: string;
  documentType: DocumentType;
  number: string;
  country: string;
  dateOfBirth: string;
  sex: '' | 'M' | 'F' | 'X';
  phone: string;
}

const EMPTY: Form = {
  name: '',
  documentType: 'resident_id',
  number: '',
  country: '',
  dateOfBirth: '',
  sex: '',
  phone: '',
};

export function useIdMessage(check: IdCheck): string | undefined {
  const { t } = useI18n();
  switch (check.state) {
    case 'empty':
      return undefined;
    case 'typing':
      return t('id.typing', { typed: check.typed });
    case 'invalid':
      return t(`id.problem.${check.problem}`);
    case 'valid':
      return t('id.valid', { date: check.dateOfBirth, sex: t(`sex.${check.sex}`) });
  }
}

export function RegisterCardholder() {
  const { t } = useI18n();
  const api = useApi();
  const [form, setForm] = useState<Form>(EMPTY);
  const [created, setCreated] = useState<CardholderDetail | null>(null);
  const action = useAction();
  const resident = form.documentType === 'resident_id';
  const check = resident ? checkIdNumber(form.number, cityDate(new Date())) : null;
  const idMessage = useIdMessage(check ?? { state: 'empty' });
  // A resident id says the birth date and sex itself: the clerk types them only for others.
  const dateOfBirth = check?.state === 'valid' ? check.dateOfBirth : form.dateOfBirth;
  const sex = check?.state === 'valid' ? check.sex : form.sex;
  const ready =
    form.name.trim() !== '' &&
    (resident ? check?.state === 'valid' : form.number.trim() !== '' && dateOfBirth !== '');

  const set = (key: keyof Form) => (e: { target: { value: string } }) => {
    setCreated(null);
    setForm({ ...form, [key]: e.target.value });
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!ready) return;
    const number = check?.state === 'valid' ? check.number : form.number.trim();
    void action.run(async () => {
      const holder = await api.post<CardholderDetail>('issuance', '/cardholders', {
        name: form.name.trim(),
        document: {
          type: form.documentType,
          number,
          ...(form.documentType === 'passport'
            ? { country: form.country.trim().toUpperCase() }
            : {}),
        },
        dateOfBirth,
        ...(sex === '' ? {} : { sex }),
        ...(form.phone.trim() === '' ? {} : { phone: form.phone.trim() }),
      });
      setCreated(holder);
      setForm(EMPTY);
    });
  };

  return (
    <Section title={t('cardholders.register')}>
      <form onSubmit={submit} aria-label={t('cardholders.register')}>
        <TextField
          label={t('cardholders.name')}
          name="name"
          value={form.name}
          onChange={set('name')}
        />
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
          name="documentNumber"
          autoComplete="off"
          value={form.number}
          onChange={set('number')}
          aria-live="polite"
          hint={check?.state === 'valid' || check?.state === 'typing' ? idMessage : undefined}
          problem={check?.state === 'invalid' ? idMessage : undefined}
        />
        {form.documentType === 'passport' && (
          <TextField
            label={t('cardholders.country')}
            value={form.country}
            onChange={set('country')}
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
            />
            <SelectField label={t('cardholders.sex')} value={form.sex} onChange={set('sex')}>
              <option value="">—</option>
              <option value="M">{t('sex.M')}</option>
              <option value="F">{t('sex.F')}</option>
              <option value="X">{t('sex.X')}</option>
            </SelectField>
          </>
        )}
        <TextField
          label={t('cardholders.phone')}
          name="phone"
          type="tel"
          value={form.phone}
          onChange={set('phone')}
        />
        <ErrorAlert error={action.error} />
        <button type="submit" className="primary" disabled={!ready || action.busy}>
          {t('cardholders.registerSubmit')}
        </button>
      </form>
      {created !== null && (
        <Alert tone="success">
          {t('cardholders.registered', { name: created.name })}{' '}
          <a href={href('/counter/issue', { holder: created.id })} data-testid="issue-for-new">
            {t('cardholders.issueFor')}
          </a>
        </Alert>
      )}
    </Section>
  );
}
