import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Drawer } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { parseMoneyInput } from '../../lib/money';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { DateTime, ErrorAlert, Loading, Money, Section, SelectField, TextField } from '../../ui/ui';
import { reasonProblem } from '../counter/counter';

/** One drawer's movements; a supervisor corrects it with a new signed movement, never an edit. */
export function DrawerDetail({
  drawerId,
  onChange,
}: {
  readonly drawerId: string;
  readonly onChange: () => void;
}) {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const drawer = useAsync(
    () => api.get<Drawer>('issuance', `/drawers/${drawerId}`),
    [api, drawerId],
  );
  const action = useAction();
  const [direction, setDirection] = useState<'+' | '-'>('+');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [counted, setCounted] = useState('');
  const parsed = parseMoneyInput(amount);
  const countedParsed = parseMoneyInput(counted);
  const problem = reason === '' ? undefined : reasonProblem(reason);

  const done = (): void => {
    drawer.reload();
    onChange();
  };
  const correct = (event: FormEvent): void => {
    event.preventDefault();
    if (parsed === undefined || reasonProblem(reason) !== undefined) return;
    void action.run(async () => {
      await api.post('issuance', `/drawers/${drawerId}/corrections`, {
        amount: direction === '+' ? parsed : `-${parsed}`,
        reason: reason.trim(),
      });
      setAmount('');
      setReason('');
      done();
    });
  };
  const close = (event: FormEvent): void => {
    event.preventDefault();
    if (countedParsed === undefined || reasonProblem(reason) !== undefined) return;
    void action.run(async () => {
      await api.post('issuance', `/drawers/${drawerId}/close`, {
        countedCash: countedParsed,
        note: reason.trim(),
      });
      done();
    });
  };

  if (drawer.data === undefined)
    return drawer.loading ? <Loading /> : <ErrorAlert error={drawer.error} />;
  const d = drawer.data;
  const supervisor = hasRole('supervisor');
  return (
    <Section title={t('drawers.detail')}>
      <table>
        <caption>{t('drawer.movements')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('common.time')}</th>
            <th scope="col">{t('drawer.kind')}</th>
            <th scope="col" className="num">
              {t('common.amount')}
            </th>
            <th scope="col">{t('drawers.note')}</th>
          </tr>
        </thead>
        <tbody>
          {(d.movements ?? []).map((m) => (
            <tr key={m.id}>
              <td>{m.seq}</td>
              <td>
                <DateTime value={m.at} />
              </td>
              <td>{label('cashKind', m.kind)}</td>
              <td className="num">
                <Money value={m.amount} sign />
              </td>
              <td>{m.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {supervisor && (
        <form onSubmit={correct} className="inline" aria-label={t('drawers.correct')}>
          <SelectField
            label={t('drawer.direction')}
            value={direction}
            onChange={(e) => setDirection(e.target.value === '-' ? '-' : '+')}
          >
            <option value="+">{t('drawers.correctIn')}</option>
            <option value="-">{t('drawers.correctOut')}</option>
          </SelectField>
          <TextField
            label={t('common.amount')}
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
          <TextField
            label={t('actions.reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            problem={problem === undefined ? undefined : t(`reason.${problem}`)}
          />
          <button
            type="submit"
            disabled={parsed === undefined || reason.trim() === '' || action.busy}
          >
            {t('drawers.correct')}
          </button>
        </form>
      )}
      {supervisor && d.state === 'open' && (
        <form onSubmit={close} className="inline" aria-label={t('drawers.closeForClerk')}>
          <TextField
            label={t('drawer.countedCash')}
            inputMode="decimal"
            value={counted}
            onChange={(e) => setCounted(e.target.value)}
          />
          <button
            type="submit"
            disabled={countedParsed === undefined || reason.trim() === '' || action.busy}
          >
            {t('drawers.closeForClerk')}
          </button>
        </form>
      )}
      <ErrorAlert error={action.error} />
    </Section>
  );
}
