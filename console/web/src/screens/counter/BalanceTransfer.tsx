import { useEffect, useRef, useState } from 'react';
import type { CardDetail, LoadOrder, TransferResult } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatMoney, isPositive } from '../../lib/money';
import type { PlanAnswer } from '../../reader/agent-client';
import { useReader } from '../../reader/reader-context';
import { useApi } from '../../session/session';
import { useAction } from '../../ui/hooks';
import { Alert, DateTime, ErrorAlert, Money, Section } from '../../ui/ui';

interface Written {
  readonly order: LoadOrder;
  readonly answer: PlanAnswer;
  /** The chip's balance read back after the write; null when that read failed. */
  readonly balanceAfter: string | null;
}

/**
 * A replaced card's balance on its way to the replacement: held for a while (late taps of the old
 * card may still arrive), then released into the replacement's back-office balance, and written
 * onto its chip the next time it is read at a counter, with no cash.
 */
export function BalanceTransfer({
  card,
  readPlanId,
  onDone,
}: {
  readonly card: CardDetail;
  /** The accepted read of this card now on the reader; the credit is written against it. */
  readonly readPlanId: string | null;
  readonly onDone: () => void;
}) {
  const { t } = useI18n();
  // Kept here: the card is reloaded after each step, and the step's own part may then be gone.
  const [released, setReleased] = useState<string | null>(null);
  const [written, setWritten] = useState<Written | null>(null);
  const pending = card.transfers.filter((x) => x.releasedAt === null);
  const owed = isPositive(card.transferCreditOwed) ? card.transferCreditOwed : null;
  const writable = owed !== null && card.state === 'active';
  if (pending.length === 0 && !writable && released === null && written === null) return null;
  return (
    <Section title={t('transfer.title')}>
      {pending.map((x) => (
        <PendingTransfer
          key={x.id}
          card={card}
          transfer={x}
          onReleased={(amount) => {
            setReleased(amount);
            onDone();
          }}
        />
      ))}
      {released !== null && (
        <Alert tone="success">{t('transfer.released', { amount: formatMoney(released) })}</Alert>
      )}
      {writable && (
        <ChipCredit
          card={card}
          owed={owed}
          readPlanId={readPlanId}
          onWritten={(w) => {
            setWritten(w);
            onDone();
          }}
        />
      )}
      {written !== null && written.answer.status !== 'accepted' && (
        <Alert tone="warning">{t('transfer.uncertain')}</Alert>
      )}
      {written !== null && written.answer.status === 'accepted' && (
        <Alert tone="success">
          <span data-testid="transfer-written">
            {t('transfer.written', {
              amount: formatMoney(written.order.load.amount),
              balance: formatMoney(written.balanceAfter),
            })}
          </span>
        </Alert>
      )}
    </Section>
  );
}

function PendingTransfer({
  card,
  transfer,
  onReleased,
}: {
  readonly card: CardDetail;
  readonly transfer: TransferResult;
  readonly onReleased: (amount: string) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const outgoing = transfer.fromCardId === card.id;

  const release = (): void =>
    void action.run(async () => {
      const r = await api.post<{ amount: string }>(
        'issuance',
        `/cards/${transfer.fromCardId}/release-transfer`,
      );
      onReleased(r.amount);
    });

  return (
    <div data-testid="pending-transfer">
      <dl className="facts">
        <dt>{outgoing ? t('transfer.outgoing') : t('transfer.incoming')}</dt>
        <dd>
          <Money value={transfer.amount} />
        </dd>
        <dt>{t('transfer.holdUntil')}</dt>
        <dd>
          <DateTime value={transfer.holdUntil} />
        </dd>
      </dl>
      <p className="hint">{t('transfer.hint')}</p>
      <div className="buttons">
        <button type="button" onClick={release} disabled={action.busy}>
          {action.busy
            ? t('common.working')
            : t('transfer.release', { amount: formatMoney(transfer.amount) })}
        </button>
      </div>
      <ErrorAlert error={action.error} />
    </div>
  );
}

/**
 * Writes what was released onto the chip as soon as the card is read, once per read: the order
 * is refused while another write to the card is unsettled, and the server writes each transfer
 * once however often it is asked.
 */
function ChipCredit({
  card,
  owed,
  readPlanId,
  onWritten,
}: {
  readonly card: CardDetail;
  readonly owed: string;
  readonly readPlanId: string | null;
  readonly onWritten: (w: Written) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const reader = useReader();
  const action = useAction();
  const tried = useRef<string | null>(null);

  const write = (readId: string): void => {
    tried.current = readId;
    void action.run(async () => {
      const order = await api.post<LoadOrder>('issuance', `/cards/${card.id}/transfer-credit`, {
        agentId: reader.workstation.agentId,
        readPlanId: readId,
      });
      const answer = await reader.runPlan(order.planId);
      const after =
        answer.status === 'accepted' ? await reader.read().catch(() => undefined) : undefined;
      onWritten({ order, answer, balanceAfter: after?.card?.balance ?? null });
    });
  };
  const writeRef = useRef(write);
  writeRef.current = write;

  // Presenting the card is the cue: each new read of it is tried once, never in a loop.
  useEffect(() => {
    if (readPlanId === null || tried.current === readPlanId) return;
    writeRef.current(readPlanId);
  }, [readPlanId]);

  return (
    <div data-testid="transfer-credit">
      <p>{t('transfer.owed', { amount: formatMoney(owed) })}</p>
      {readPlanId === null && <Alert tone="info">{t('transfer.readFirst')}</Alert>}
      {action.busy && (
        <Alert tone="info">{t('transfer.writing', { amount: formatMoney(owed) })}</Alert>
      )}
      <ErrorAlert error={action.error} />
      {!action.busy && readPlanId !== null && action.error !== undefined && (
        <div className="buttons">
          <button type="button" onClick={() => write(readPlanId)}>
            {t('transfer.writeAgain', { amount: formatMoney(owed) })}
          </button>
        </div>
      )}
    </div>
  );
}
