import { useState } from 'react';
import type { FeeSchedule } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ANY_TYPE } from '../../lib/fee-form';
import { useApi, useSession } from '../../session/session';
import { useAsync } from '../../ui/hooks';
import { ErrorAlert, ListState, Money, PageTitle, Section, SelectField } from '../../ui/ui';
import { FeeScheduleForm } from './FeeScheduleForm';
import { OperatorOptions, useOperatorOptions } from './operator-options';
import { SubsidyRules } from './SubsidyRules';

/** Clearing's versioned fee schedules per operator, and the subsidy rules across operators. */
export function FeesScreen() {
  const { t } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const operators = useOperatorOptions();
  const [operatorId, setOperatorId] = useState('');
  const list = useAsync(
    () =>
      api
        .get<{ feeSchedules: FeeSchedule[] }>('clearing', '/v1/fee-schedules', {
          operatorId: operatorId === '' ? undefined : operatorId,
        })
        .then((r) => r.feeSchedules),
    [api, operatorId],
  );
  const admin = hasRole('admin');

  return (
    <div>
      <PageTitle>{t('fees.title')}</PageTitle>
      <Section title={t('fees.schedules')}>
        <div className="inline">
          <SelectField
            label={t('fees.operator')}
            value={operatorId}
            onChange={(e) => setOperatorId(e.target.value)}
          >
            <option value="">{t('common.all')}</option>
            <OperatorOptions operators={operators.data ?? []} />
          </SelectField>
        </div>
        <ErrorAlert error={list.error ?? operators.error} />
        <ListState state={list} empty={t('fees.none')}>
          {(rows) => <ScheduleTable rows={rows} />}
        </ListState>
      </Section>
      {admin && (
        <FeeScheduleForm
          operators={operators.data ?? []}
          operatorId={operatorId}
          onCreated={list.reload}
        />
      )}
      <SubsidyRules admin={admin} operators={operators.data ?? []} />
    </div>
  );
}

function ScheduleTable({ rows }: { readonly rows: readonly FeeSchedule[] }) {
  const { t } = useI18n();
  return (
    <table data-testid="fee-schedules">
      <caption>{t('fees.list')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('fees.operator')}</th>
          <th scope="col" className="num">
            {t('fees.version')}
          </th>
          <th scope="col">{t('fees.effectiveFrom')}</th>
          <th scope="col">{t('fees.effectiveTo')}</th>
          <th scope="col">{t('fees.rates')}</th>
          <th scope="col" className="num">
            {t('fees.fixedFee')}
          </th>
          <th scope="col" className="num">
            {t('fees.dailyMin')}
          </th>
          <th scope="col" className="num">
            {t('fees.dailyMax')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr key={s.id}>
            <td className="mono">{s.operatorId}</td>
            <td className="num">{s.version}</td>
            <td>{s.effectiveFrom}</td>
            <td>{s.effectiveTo ?? t('fees.openEnded')}</td>
            <td>
              <ul className="plain">
                {Object.entries(s.rates).map(([type, rate]) => (
                  <li key={type}>
                    {type === ANY_TYPE ? t('fees.anyType') : type}:{' '}
                    <span className="mono">{rate}</span>
                  </li>
                ))}
              </ul>
            </td>
            <td className="num">
              <Money value={s.fixedFee} />
            </td>
            <td className="num">
              <Money value={s.dailyMin} />
            </td>
            <td className="num">
              <Money value={s.dailyMax} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
