import { useState } from 'react';
import type { FormEvent } from 'react';
import type { SubsidyRule } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import {
  EMPTY_SUBSIDY_FORM,
  checkSubsidyForm,
  type SubsidyField,
  type SubsidyForm,
} from '../../lib/fee-form';
import { useApi } from '../../session/session';
import { useFieldProblems } from '../../ui/form-problems';
import { useAction, useAsync } from '../../ui/hooks';
import { ErrorAlert, ListState, Section, SelectField, TextField } from '../../ui/ui';
import { OperatorOptions, type OperatorOption } from './operator-options';

/** Subsidy rules: the share of a rider category's fares the issuer pays an operator back. */
export function SubsidyRules({
  admin,
  operators,
}: {
  readonly admin: boolean;
  readonly operators: readonly OperatorOption[];
}) {
  const { t } = useI18n();
  const api = useApi();
  const list = useAsync(
    () =>
      api
        .get<{ subsidyRules: SubsidyRule[] }>('clearing', '/v1/subsidy-rules')
        .then((r) => r.subsidyRules),
    [api],
  );
  return (
    <Section title={t('subsidy.title')}>
      <ErrorAlert error={list.error} />
      <ListState state={list} empty={t('subsidy.none')}>
        {(rows) => (
          <table data-testid="subsidy-rules">
            <caption>{t('subsidy.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('subsidy.operator')}</th>
                <th scope="col">{t('subsidy.category')}</th>
                <th scope="col" className="num">
                  {t('fees.version')}
                </th>
                <th scope="col" className="num">
                  {t('subsidy.rate')}
                </th>
                <th scope="col">{t('fees.effectiveFrom')}</th>
                <th scope="col">{t('fees.effectiveTo')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="mono">{r.operatorId ?? t('subsidy.everyOperator')}</td>
                  <td>{r.riderCategoryId}</td>
                  <td className="num">{r.version}</td>
                  <td className="num mono">{r.rate}</td>
                  <td>{r.effectiveFrom}</td>
                  <td>{r.effectiveTo ?? t('fees.openEnded')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {admin && <SubsidyRuleForm operators={operators} onCreated={list.reload} />}
    </Section>
  );
}

function SubsidyRuleForm({
  operators,
  onCreated,
}: {
  readonly operators: readonly OperatorOption[];
  readonly onCreated: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState<SubsidyForm>(EMPTY_SUBSIDY_FORM);
  const [tried, setTried] = useState(false);
  const checked = checkSubsidyForm(form);
  const problem = useFieldProblems(checked.ok ? {} : checked.problems, tried, action.error);
  const set = (key: SubsidyField) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTried(true);
    if (!checked.ok) return;
    void action.run(async () => {
      await api.post<SubsidyRule>('clearing', '/v1/subsidy-rules', checked.body);
      setForm(EMPTY_SUBSIDY_FORM);
      setTried(false);
      onCreated();
    });
  };

  return (
    <form onSubmit={submit} aria-label={t('subsidy.create')} noValidate>
      <h3>{t('subsidy.create')}</h3>
      <div className="inline">
        <SelectField
          label={t('subsidy.operator')}
          value={form.operatorId}
          onChange={set('operatorId')}
        >
          <option value="">{t('subsidy.everyOperator')}</option>
          <OperatorOptions operators={operators} />
        </SelectField>
        <TextField
          label={t('subsidy.category')}
          value={form.riderCategoryId}
          onChange={set('riderCategoryId')}
          problem={problem('riderCategoryId')}
        />
        <TextField
          label={t('subsidy.rate')}
          inputMode="decimal"
          value={form.rate}
          onChange={set('rate')}
          problem={problem('rate')}
          hint={t('subsidy.rateHint')}
        />
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
        />
      </div>
      <ErrorAlert error={action.error} />
      <button type="submit" disabled={action.busy}>
        {t('subsidy.createSubmit')}
      </button>
    </form>
  );
}
