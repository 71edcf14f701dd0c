import { useState } from 'react';
import type { FormEvent } from 'react';
import type { FeeSchedule } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { EMPTY_FEE_FORM, checkFeeForm, type FeeForm, type RateRow } from '../../lib/fee-form';
import { useApi } from '../../session/session';
import { useFieldProblems } from '../../ui/form-problems';
import { useAction } from '../../ui/hooks';
import { Alert, ErrorAlert, Section, SelectField, TextField } from '../../ui/ui';
import { OperatorOptions, type OperatorOption } from './operator-options';

/** A new version of an operator's fee schedule; earlier versions stay as they were. */
export function FeeScheduleForm({
  operators,
  operatorId,
  onCreated,
}: {
  readonly operators: readonly OperatorOption[];
  /** The operator the list is showing, chosen here too. */
  readonly operatorId: string;
  readonly onCreated: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState<FeeForm>({ ...EMPTY_FEE_FORM, operatorId });
  const [tried, setTried] = useState(false);
  const [created, setCreated] = useState<FeeSchedule | null>(null);
  const checked = checkFeeForm(form);
  const problem = useFieldProblems(checked.ok ? {} : checked.problems, tried, action.error);

  const set = (key: Exclude<keyof FeeForm, 'rates'>) => (e: { target: { value: string } }) => {
    setCreated(null);
    setForm({ ...form, [key]: e.target.value });
  };
  const setRate = (i: number, row: Partial<RateRow>): void =>
    setForm({ ...form, rates: form.rates.map((r, j) => (j === i ? { ...r, ...row } : r)) });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTried(true);
    if (!checked.ok) return;
    void action.run(async () => {
      setCreated(await api.post<FeeSchedule>('clearing', '/v1/fee-schedules', checked.body));
      setForm({ ...EMPTY_FEE_FORM, operatorId: form.operatorId });
      setTried(false);
      onCreated();
    });
  };

  return (
    <Section title={t('fees.create')}>
      <form onSubmit={submit} aria-label={t('fees.create')} noValidate>
        <SelectField
          label={t('fees.operator')}
          value={form.operatorId}
          onChange={set('operatorId')}
          problem={problem('operatorId')}
        >
          <option value="">—</option>
          <OperatorOptions operators={operators} />
        </SelectField>
        <div className="inline">
          <TextField
            label={t('fees.effectiveFrom')}
            type="date"
            value={form.effectiveFrom}
            onChange={set('effectiveFrom')}
            problem={problem('effectiveFrom')}
          />
          <TextField
            label={t('fees.effectiveTo')}
            type="date"
            value={form.effectiveTo}
            onChange={set('effectiveTo')}
            problem={problem('effectiveTo')}
            hint={t('fees.effectiveToHint')}
          />
        </div>
        <div className="inline">
          <TextField
            label={t('fees.fixedFee')}
            inputMode="decimal"
            value={form.fixedFee}
            onChange={set('fixedFee')}
            problem={problem('fixedFee')}
            hint={t('fees.fixedFeeHint')}
          />
          <TextField
            label={t('fees.dailyMin')}
            inputMode="decimal"
            value={form.dailyMin}
            onChange={set('dailyMin')}
            problem={problem('dailyMin')}
          />
          <TextField
            label={t('fees.dailyMax')}
            inputMode="decimal"
            value={form.dailyMax}
            onChange={set('dailyMax')}
            problem={problem('dailyMax')}
          />
        </div>
        <fieldset>
          <legend>{t('fees.rates')}</legend>
          <p className="hint">{t('fees.ratesHint')}</p>
          {form.rates.map((row, i) => (
            <div className="inline" key={i}>
              <TextField
                label={t('fees.rateType', { n: i + 1 })}
                value={row.type}
                onChange={(e) => setRate(i, { type: e.target.value })}
                problem={problem(`rates.${i}.type`)}
              />
              <TextField
                label={t('fees.rate', { n: i + 1 })}
                inputMode="decimal"
                value={row.rate}
                onChange={(e) => setRate(i, { rate: e.target.value })}
                problem={problem(`rates.${i}.rate`)}
              />
              <button
                type="button"
                onClick={() => setForm({ ...form, rates: form.rates.filter((_, j) => j !== i) })}
              >
                {t('fees.removeRate', { n: i + 1 })}
              </button>
            </div>
          ))}
          {problem('rates') !== undefined && (
            <p className="hint problem" role="alert">
              {problem('rates')}
            </p>
          )}
          <button
            type="button"
            onClick={() => setForm({ ...form, rates: [...form.rates, { type: '', rate: '' }] })}
          >
            {t('fees.addRate')}
          </button>
        </fieldset>
        <ErrorAlert error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {t('fees.createSubmit')}
        </button>
      </form>
      {created !== null && (
        <Alert tone="success">
          {t('fees.created', { operator: created.operatorId, version: created.version })}
        </Alert>
      )}
    </Section>
  );
}
