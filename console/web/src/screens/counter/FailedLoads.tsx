import { useState } from 'react';
import type { CardDetail, LoadOrder, LoadResult } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { maskCardNumber } from '../../lib/mask';
import { formatMoney } from '../../lib/money';
import { useReader } from '../../reader/reader-context';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Receipt } from '../../ui/Receipt';
import { Alert, DateTime, ErrorAlert, Money, Section } from '../../ui/ui';

type Outcome =
  | { readonly kind: 'retried'; readonly accepted: boolean }
  | { readonly kind: 'refunded'; readonly load: LoadResult };

/**
 * Top-ups whose write did not reach the card: the cash is still in the drawer, so the clerk
 * writes the load again from a fresh read, or gives the cash back with a receipt.
 */
export function FailedLoads({
  card,
  readPlanId,
  onDone,
}: {
  readonly card: CardDetail;
  /** The accepted read of this card now on the reader; a retry is written against it. */
  readonly readPlanId: string | null;
  readonly onDone: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const reader = useReader();
  const action = useAction();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const failed = useAsync(
    () =>
      api
        .get<{ items: LoadResult[] }>('issuance', `/cards/${card.id}/loads`, { status: 'failed' })
        .then((r) => r.items),
    [api, card.id, reader.lastRead],
  );

  const retry = (load: LoadResult): void => {
    if (readPlanId === null) return;
    void action.run(async () => {
      const order = await api.post<LoadOrder>('issuance', `/loads/${load.id}/retry`, {
        agentId: reader.workstation.agentId,
        readPlanId,
      });
      const answer = await reader.runPlan(order.planId);
      setOutcome({ kind: 'retried', accepted: answer.status === 'accepted' });
      failed.reload();
      onDone();
    });
  };
  const refund = (load: LoadResult): void => {
    if (!window.confirm(t('failed.refundConfirm', { amount: formatMoney(load.amount) }))) return;
    void action.run(async () => {
      const refunded = await api.post<LoadResult>('issuance', `/loads/${load.id}/refund`);
      setOutcome({ kind: 'refunded', load: refunded });
      failed.reload();
      onDone();
    });
  };

  const rows = failed.data ?? [];
  if (rows.length === 0 && outcome === null) return <ErrorAlert error={failed.error} />;
  return (
    <Section title={t('failed.title')}>
      <ErrorAlert error={failed.error ?? action.error} />
      {rows.length > 0 && (
        <>
          <p>{t('failed.intro')}</p>
          {readPlanId === null && <Alert tone="info">{t('failed.readFirst')}</Alert>}
          <table data-testid="failed-loads">
            <caption>{t('failed.list')}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('common.amount')}
                </th>
                <th scope="col">{t('failed.businessDay')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.id}>
                  <td className="num">
                    <Money value={l.amount} />
                  </td>
                  <td>{l.businessDay}</td>
                  <td>
                    <DateTime value={l.createdAt} />
                  </td>
                  <td>
                    <div className="buttons">
                      <button
                        type="button"
                        onClick={() => retry(l)}
                        disabled={readPlanId === null || card.state !== 'active' || action.busy}
                      >
                        {t('failed.retry', { amount: formatMoney(l.amount) })}
                      </button>
                      {/* A balance transfer took no cash: there is nothing to give back. */}
                      {l.transferId === null && (
                        <button type="button" onClick={() => refund(l)} disabled={action.busy}>
                          {t('failed.refund', { amount: formatMoney(l.amount) })}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {outcome?.kind === 'retried' && (
        <Alert tone={outcome.accepted ? 'success' : 'warning'}>
          {outcome.accepted ? t('failed.retried') : t('topup.uncertain')}
        </Alert>
      )}
      {outcome?.kind === 'refunded' && (
        <>
          <Alert tone="success">{t('failed.refunded')}</Alert>
          <Receipt
            title={t('failed.receipt')}
            reference={outcome.load.id}
            at={outcome.load.updatedAt}
            lines={[
              { label: t('card.number'), value: maskCardNumber(card.cardNumber) },
              { label: t('failed.loadDay'), value: outcome.load.businessDay },
              { label: t('actions.paidOut'), value: formatMoney(outcome.load.amount) },
            ]}
          />
        </>
      )}
    </Section>
  );
}
