import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CardDetail, LoadResult } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { useReader } from '../../reader/reader-context';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Alert, ErrorAlert, Loading, Money, PageTitle, Section, TextField } from '../../ui/ui';
import { BalanceTransfer } from './BalanceTransfer';
import { CardActions } from './CardActions';
import { FailedLoads } from './FailedLoads';
import { RequestCorrection } from './RequestCorrection';
import { TopUp } from './TopUp';

export function CardServiceScreen() {
  const { t } = useI18n();
  const reader = useReader();
  const [lookedUp, setLookedUp] = useState<string | null>(null);
  const onReader = reader.lastRead?.status === 'accepted' ? reader.lastRead.card : undefined;
  const cardId = onReader?.cardId ?? lookedUp;
  return (
    <div>
      <PageTitle>{t('card.title')}</PageTitle>
      {onReader === undefined && (
        <Alert tone="info">
          {reader.card === null ? t('card.placeAndRead') : t('card.pressRead')}
        </Alert>
      )}
      <FindByNumber onFound={setLookedUp} />
      {cardId !== null && <CardView cardId={cardId} />}
    </div>
  );
}

function FindByNumber({ onFound }: { readonly onFound: (id: string) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [number, setNumber] = useState('');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const n = number.replace(/[\s-]/g, '');
    if (n === '') return;
    void action.run(async () => {
      const card = await api.get<CardDetail>(
        'issuance',
        `/cards/by-number/${encodeURIComponent(n)}`,
      );
      onFound(card.id);
    });
  };
  return (
    <form onSubmit={submit} className="inline" role="search" aria-label={t('card.findByNumber')}>
      <TextField
        label={t('card.findByNumber')}
        inputMode="numeric"
        autoComplete="off"
        value={number}
        onChange={(e) => setNumber(e.target.value)}
      />
      <button type="submit" disabled={action.busy}>
        {t('common.search')}
      </button>
      <ErrorAlert error={action.error} />
    </form>
  );
}

function CardView({ cardId }: { readonly cardId: string }) {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const reader = useReader();
  const detail = useAsync(
    () =>
      Promise.all([
        api.get<CardDetail>('issuance', `/cards/${cardId}`),
        api
          .get<{ items: LoadResult[] }>('issuance', `/cards/${cardId}/loads`, {
            status: 'uncertain',
          })
          .then((r) => r.items),
      ]),
    [api, cardId, reader.lastRead],
  );
  if (detail.data === undefined) {
    return detail.loading ? <Loading /> : <ErrorAlert error={detail.error} />;
  }
  const [card, uncertain] = detail.data;
  const snapshot = reader.lastRead?.card?.cardId === card.id ? reader.lastRead : null;
  return (
    <>
      <Section title={t('card.details')}>
        <dl className="facts" data-testid="card-details">
          <dt>{t('card.number')}</dt>
          <dd className="mono">{card.cardNumber ?? '—'}</dd>
          <dt>{t('card.holder')}</dt>
          <dd>{card.cardholder?.maskedName ?? '—'}</dd>
          <dt>{t('card.product')}</dt>
          <dd>{card.product?.name ?? '—'}</dd>
          <dt>{t('card.state')}</dt>
          <dd data-testid="card-state">{label('cardState', card.state)}</dd>
          <dt>{t('card.deposit')}</dt>
          <dd>
            <Money value={card.depositHeld ? card.deposit : '0.00'} />
          </dd>
          <dt>{t('card.shadowBalance')}</dt>
          <dd data-testid="shadow-balance">
            <Money value={card.shadowBalance} />
          </dd>
          <dt>{t('card.chipBalance')}</dt>
          <dd data-testid="card-chip-balance">
            {snapshot?.card === undefined ? (
              t('card.notRead')
            ) : (
              <Money value={snapshot.card.balance} />
            )}
          </dd>
        </dl>
      </Section>
      {uncertain.length > 0 && (
        <Alert tone="warning">
          <span data-testid="uncertain-loads">
            {t('card.uncertain', { count: uncertain.length })}
          </span>
          <ul>
            {uncertain.map((l) => (
              <li key={l.id}>
                <Money value={l.amount} /> · {l.businessDay}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <BalanceTransfer
        key={card.id}
        card={card}
        readPlanId={snapshot?.source === 'read' ? snapshot.planId : null}
        onDone={detail.reload}
      />
      <FailedLoads
        card={card}
        readPlanId={snapshot?.source === 'read' ? snapshot.planId : null}
        onDone={detail.reload}
      />
      <TopUp
        card={card}
        readPlanId={snapshot?.source === 'read' ? snapshot.planId : null}
        onDone={detail.reload}
      />
      <CardActions card={card} onDone={detail.reload} />
      {snapshot?.source === 'read' && snapshot.card?.mismatch === true && hasRole('supervisor') && (
        <RequestCorrection cardId={card.id} readPlanId={snapshot.planId} />
      )}
    </>
  );
}
