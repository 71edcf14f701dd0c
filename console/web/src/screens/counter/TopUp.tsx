import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CardDetail, LoadOrder } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { maskCardNumber } from '../../lib/mask';
import { formatMoney, parseMoneyInput } from '../../lib/money';
import type { PlanAnswer } from '../../reader/agent-client';
import { useReader } from '../../reader/reader-context';
import { useApi } from '../../session/session';
import { useAction } from '../../ui/hooks';
import { Receipt } from '../../ui/Receipt';
import { Alert, ErrorAlert, Section, TextField } from '../../ui/ui';

const QUICK = ['50.00', '100.00', '200.00'];

interface Done {
  readonly order: LoadOrder;
  readonly answer: PlanAnswer;
  /** The chip's balance read back after the write; null when that read failed. */
  readonly balanceAfter: string | null;
}

/**
 * A top-up: the cash goes into the drawer with the order, then the agent writes the purse. When
 * the card leaves mid-write the load is uncertain; the next read of the card settles it.
 */
export function TopUp({
  card,
  readPlanId,
  onDone,
}: {
  readonly card: CardDetail;
  /** The accepted read of this card now on the reader; a load is ordered against it. */
  readonly readPlanId: string | null;
  readonly onDone: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const reader = useReader();
  const [value, setValue] = useState('');
  const [done, setDone] = useState<Done | null>(null);
  const action = useAction();
  const amount = parseMoneyInput(value);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (amount === undefined || readPlanId === null) return;
    void action.run(async () => {
      const order = await api.post<LoadOrder>('issuance', `/cards/${card.id}/loads`, {
        amount,
        agentId: reader.workstation.agentId,
        readPlanId,
      });
      const answer = await reader.runPlan(order.planId);
      // Reading the card back shows the balance it now holds and readies the next top-up.
      const after =
        answer.status === 'accepted' ? await reader.read().catch(() => undefined) : undefined;
      setDone({ order, answer, balanceAfter: after?.card?.balance ?? null });
      setValue('');
      onDone();
    });
  };

  if (card.state !== 'active') return null;
  return (
    <Section title={t('topup.title')}>
      {readPlanId === null && <Alert tone="info">{t('topup.readFirst')}</Alert>}
      <form onSubmit={submit} aria-label={t('topup.title')}>
        <TextField
          label={t('topup.amount')}
          name="amount"
          inputMode="decimal"
          autoFocus
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          problem={value !== '' && amount === undefined ? t('money.invalid') : undefined}
          hint={t('topup.hint')}
        />
        <div className="quick" role="group" aria-label={t('topup.quick')}>
          {QUICK.map((q) => (
            <button key={q} type="button" onClick={() => setValue(q)}>
              {formatMoney(q)}
            </button>
          ))}
        </div>
        <ErrorAlert error={action.error} />
        <button
          type="submit"
          className="primary"
          disabled={amount === undefined || readPlanId === null || action.busy}
        >
          {action.busy ? t('common.working') : t('topup.submit')}
        </button>
      </form>
      {done !== null && done.answer.status !== 'accepted' && (
        <Alert tone="warning">{t('topup.uncertain')}</Alert>
      )}
      {done !== null && done.answer.status === 'accepted' && (
        <>
          <Alert tone="success">{t('topup.done')}</Alert>
          <Receipt
            title={t('topup.receipt')}
            reference={done.order.loadId}
            at={done.order.load.createdAt}
            lines={[
              { label: t('card.number'), value: maskCardNumber(card.cardNumber) },
              { label: t('topup.amount'), value: formatMoney(done.order.load.amount) },
              {
                label: t('topup.balanceAfter'),
                value: formatMoney(done.balanceAfter),
              },
            ]}
          />
        </>
      )}
    </Section>
  );
}
