import { useState } from 'react';
import type { Drawer } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { cityDate, isDay } from '../../lib/dates';
import { useApi } from '../../session/session';
import { useAsync } from '../../ui/hooks';
import {
  DateTime,
  ErrorAlert,
  ListState,
  Money,
  PageTitle,
  Section,
  SelectField,
  TextField,
} from '../../ui/ui';
import { DrawerDetail } from './DrawerDetail';

type StateFilter = '' | 'open' | 'closed';

/** Drawers of the branch (all branches for auditors and admins), with long and short. */
export function DrawersScreen() {
  const { t, label } = useI18n();
  const api = useApi();
  const [day, setDay] = useState(() => cityDate(new Date()));
  const [state, setState] = useState<StateFilter>('');
  const [selected, setSelected] = useState<string | null>(null);
  const list = useAsync(
    () =>
      api
        .get<{ items: Drawer[] }>('issuance', '/drawers', {
          from: isDay(day) ? `${day}T00:00:00+08:00` : undefined,
          state: state === '' ? undefined : state,
        })
        .then((r) => r.items),
    [api, day, state],
  );

  return (
    <div>
      <PageTitle>{t('drawers.title')}</PageTitle>
      <div className="inline">
        <TextField
          label={t('drawers.since')}
          type="date"
          value={day}
          onChange={(e) => setDay(e.target.value)}
        />
        <SelectField
          label={t('drawers.state')}
          value={state}
          onChange={(e) => setState(e.target.value as StateFilter)}
        >
          <option value="">{t('common.all')}</option>
          <option value="open">{t('drawerState.open')}</option>
          <option value="closed">{t('drawerState.closed')}</option>
        </SelectField>
      </div>
      <ErrorAlert error={list.error} />
      <ListState state={list} empty={t('drawers.none')}>
        {(rows) => (
          <Section title={t('drawers.list')}>
            <table data-testid="drawers">
              <caption>{t('drawers.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('drawers.staff')}</th>
                  <th scope="col">{t('drawer.openedAt')}</th>
                  <th scope="col">{t('drawers.state')}</th>
                  <th scope="col" className="num">
                    {t('drawer.expectedCash')}
                  </th>
                  <th scope="col" className="num">
                    {t('drawer.countedCash')}
                  </th>
                  <th scope="col" className="num">
                    {t('drawer.difference')}
                  </th>
                  <th scope="col">{t('drawer.result')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id} aria-selected={d.id === selected}>
                    <td className="mono">{d.staffId.slice(0, 8)}</td>
                    <td>
                      <DateTime value={d.openedAt} />
                    </td>
                    <td>{label('drawerState', d.state)}</td>
                    <td className="num" data-testid="drawer-expected">
                      <Money value={d.corrected?.expectedCash ?? d.expectedCash} />
                    </td>
                    <td className="num">
                      <Money value={d.countedCash} />
                    </td>
                    <td className="num">
                      <Money value={d.corrected?.difference ?? d.difference} sign />
                    </td>
                    <td className={`result-${d.corrected?.result ?? d.result ?? 'none'}`}>
                      {d.result === null
                        ? '—'
                        : label('drawerResult', d.corrected?.result ?? d.result)}
                    </td>
                    <td>
                      <button type="button" onClick={() => setSelected(d.id)}>
                        {t('common.open')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        )}
      </ListState>
      {selected !== null && <DrawerDetail drawerId={selected} onChange={list.reload} />}
    </div>
  );
}
