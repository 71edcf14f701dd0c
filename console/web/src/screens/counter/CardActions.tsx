import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CardDetail, CardResult, Payout } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { maskCardNumber } from '../../lib/mask';
import { formatMoney } from '../../lib/money';
import { useReader } from '../../reader/reader-context';
import { useApi } from '../../session/session';
import { useAction } from '../../ui/hooks';
import { Receipt } from '../../ui/Receipt';
import { Alert, ErrorAlert, Section, TextField } from '../../ui/ui';
import { reasonProblem } from './counter';

const LOST_FROM = ['active', 'frozen'];
const REFUND_FROM = ['active', 'frozen', 'blocked', 'lost_reported'];
const REPLACE_FROM = ['lost_reported', 'blocked', 'active'];

/** Report lost, replace and refund: the card's life at the counter after its issue. */
export function CardActions({
  card,
  onDone,
}: {
  readonly card: CardDetail;
  readonly onDone: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const reader = useReader();
  const [reason, setReason] = useState('');
  const [payout, setPayout] = useState<Payout | null>(null);
  const [replacement, setReplacement] = useState<CardResult | null>(null);
  const action = useAction();
  const problem = reason === '' ? undefined : reasonProblem(reason);
  const newUid = reader.card !== null && reader.card.uid !== card.uid ? reader.card.uid : undefined;

  const reportLost = (): void =>
    void action.run(async () => {
      const body = reason.trim() === '' ? undefined : { reason: reason.trim() };
      await api.post('issuance', `/cards/${card.id}/report-lost`, body);
      onDone();
    });

  const refund = (): void => {
    if (!window.confirm(t('actions.refundConfirm'))) return;
    void action.run(async () => {
      setPayout(await api.post<Payout>('issuance', `/cards/${card.id}/refund`));
      onDone();
    });
  };

  const replace = (event: FormEvent): void => {
    event.preventDefault();
    if (newUid === undefined || reasonProblem(reason) !== undefined) return;
    void action.run(async () => {
      const r = await api.post<{ replacement: CardResult }>(
        'issuance',
        `/cards/${card.id}/replace`,
        {
          newUid,
          reason: reason.trim(),
        },
      );
      const plan = await api.post<{ planId: string }>(
        'issuance',
        `/cards/${r.replacement.id}/personalisation`,
        { agentId: reader.workstation.agentId },
      );
      await reader.runPlan(plan.planId);
      setReplacement(r.replacement);
      onDone();
    });
  };

  return (
    <Section title={t('actions.title')}>
      <form onSubmit={replace} aria-label={t('actions.title')}>
        <TextField
          label={t('actions.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          problem={problem === undefined ? undefined : t(`reason.${problem}`)}
          hint={t('actions.reasonHint')}
        />
        <div className="buttons">
          <button
            type="button"
            onClick={reportLost}
            disabled={!LOST_FROM.includes(card.state) || action.busy}
          >
            {t('actions.reportLost')}
          </button>
          <button
            type="submit"
            disabled={!REPLACE_FROM.includes(card.state) || newUid === undefined || action.busy}
          >
            {t('actions.replace')}
          </button>
          <button
            type="button"
            onClick={refund}
            disabled={!REFUND_FROM.includes(card.state) || action.busy}
          >
            {t('actions.refund')}
          </button>
        </div>
        {REPLACE_FROM.includes(card.state) && newUid === undefined && (
          <p className="hint">{t('actions.replaceHint')}</p>
        )}
      </form>
      <ErrorAlert error={action.error} />
      {replacement !== null && (
        <Alert tone="success">
          {t('actions.replaced', { number: replacement.cardNumber ?? replacement.uid })}
        </Alert>
      )}
      {payout !== null && (
        <Receipt
          title={t('actions.refundReceipt')}
          reference={payout.card.id}
          lines={[
            { label: t('card.number'), value: maskCardNumber(payout.card.cardNumber) },
            { label: t('card.deposit'), value: formatMoney(payout.paidOut.deposit) },
            { label: t('card.shadowBalance'), value: formatMoney(payout.paidOut.balance) },
            { label: t('actions.paidOut'), value: formatMoney(payout.paidOut.total) },
          ]}
        />
      )}
    </Section>
  );
}
