import { useState } from 'react';
import type { CardDetail, CardholderDetail, CardResult, Product } from '../../api/types';
import type { ScreenProps } from '../../routes';
import { useI18n } from '../../i18n/i18n';
import { maskCardNumber } from '../../lib/mask';
import { formatMoney } from '../../lib/money';
import { href } from '../../lib/router';
import { useReader } from '../../reader/reader-context';
import { useApi } from '../../session/session';
import { useAction, useAsync, useShortcut } from '../../ui/hooks';
import { Receipt } from '../../ui/Receipt';
import { Alert, ErrorAlert, Kbd, Loading, PageTitle, Section, SelectField } from '../../ui/ui';

type Step = 'idle' | 'issuing' | 'planning' | 'writing' | 'done';

interface Issued {
  readonly card: CardResult;
  readonly productName: string;
}

export function IssueScreen({ query }: ScreenProps) {
  const { t } = useI18n();
  const api = useApi();
  const holderId = query.get('holder');
  const holder = useAsync(
    () =>
      holderId === null
        ? Promise.resolve(null)
        : api.get<CardholderDetail>('issuance', `/cardholders/${encodeURIComponent(holderId)}`),
    [api, holderId],
  );
  const products = useAsync(
    () => api.get<{ items: Product[] }>('issuance', '/products').then((r) => r.items),
    [api],
  );

  return (
    <div>
      <PageTitle>{t('issue.title')}</PageTitle>
      {holderId === null && (
        <Alert tone="info">
          {t('issue.pickHolder')} <a href={href('/counter/cardholders')}>{t('nav.cardholders')}</a>
        </Alert>
      )}
      {(holder.loading || products.loading) && <Loading />}
      <ErrorAlert error={holder.error ?? products.error} />
      {holder.data !== null && holder.data !== undefined && products.data !== undefined && (
        <IssueForm holder={holder.data} products={products.data.filter((p) => p.active)} />
      )}
    </div>
  );
}

function IssueForm({
  holder,
  products,
}: {
  readonly holder: CardholderDetail;
  readonly products: readonly Product[];
}) {
  const { t, label } = useI18n();
  const api = useApi();
  const reader = useReader();
  const [productCode, setProductCode] = useState(
    products.find((p) => p.code === 'standard')?.code ?? products[0]?.code ?? '',
  );
  const [step, setStep] = useState<Step>('idle');
  const [issued, setIssued] = useState<Issued | null>(null);
  const [cardId, setCardId] = useState<string | null>(null);
  const action = useAction();
  const product = products.find((p) => p.code === productCode);
  const uid = reader.card?.uid;

  /** Plans the chip's personalisation and has the agent write it; safe to repeat after a stop. */
  const personalise = async (id: string): Promise<void> => {
    setStep('planning');
    const plan = await api.post<{ planId: string }>('issuance', `/cards/${id}/personalisation`, {
      agentId: reader.workstation.agentId,
    });
    setStep('writing');
    const answer = await reader.runPlan(plan.planId);
    if (answer.status !== 'accepted') throw new Error(answer.message ?? answer.status);
    const card = await api.get<CardDetail>('issuance', `/cards/${id}`);
    setIssued({ card, productName: card.product?.name ?? productCode });
    setStep('done');
  };

  const issue = (): void => {
    if (uid === undefined || product === undefined) return;
    void action.run(async () => {
      let id = cardId;
      if (id === null) {
        setStep('issuing');
        const card = await api.post<CardResult>('issuance', '/cards/issue', {
          uid,
          cardholderId: holder.id,
          productCode,
        });
        id = card.id;
        setCardId(id);
      }
      await personalise(id);
    });
  };
  const canIssue = uid !== undefined && product !== undefined && step !== 'done' && !action.busy;
  useShortcut('F4', issue, canIssue);

  return (
    <>
      <Section title={t('issue.holder')}>
        <dl className="facts" data-testid="issue-holder">
          <dt>{t('cardholders.name')}</dt>
          <dd>{holder.name}</dd>
          <dt>{t('cardholders.document')}</dt>
          <dd>
            {label('documentType', holder.documentType)}{' '}
            <span className="mono">{holder.maskedIdNumber}</span>
          </dd>
        </dl>
      </Section>
      <Section title={t('issue.card')}>
        <SelectField
          label={t('card.product')}
          value={productCode}
          onChange={(e) => setProductCode(e.target.value)}
          disabled={cardId !== null}
          hint={
            product === undefined
              ? undefined
              : t('issue.depositHint', { deposit: formatMoney(product.deposit) })
          }
        >
          {products.map((p) => (
            <option key={p.code} value={p.code}>
              {p.name}
            </option>
          ))}
        </SelectField>
        {uid === undefined ? (
          <Alert tone="info">{t('issue.placeCard')}</Alert>
        ) : (
          <p>
            {t('issue.cardOnReader')} <span className="mono">{uid}</span>
          </p>
        )}
        {step !== 'idle' && step !== 'done' && (
          <p role="status" aria-live="polite">
            {t(`issue.step.${step}`)}
          </p>
        )}
        <ErrorAlert error={action.error} />
        {cardId !== null && step !== 'done' && action.error !== undefined && (
          <Alert tone="warning">{t('issue.retryHint')}</Alert>
        )}
        <button type="button" className="primary" onClick={issue} disabled={!canIssue}>
          {cardId === null ? t('issue.submit') : t('issue.retry')} <Kbd>F4</Kbd>
        </button>
      </Section>
      {issued !== null && (
        <>
          <Alert tone="success">
            {t('issue.done')}{' '}
            <a href={href('/counter/card')} data-testid="go-top-up">
              {t('issue.topUpNow')}
            </a>
          </Alert>
          <Receipt
            title={t('issue.receipt')}
            reference={issued.card.id}
            lines={[
              { label: t('cardholders.name'), value: holder.name },
              { label: t('card.number'), value: maskCardNumber(issued.card.cardNumber) },
              { label: t('card.product'), value: issued.productName },
              { label: t('card.deposit'), value: formatMoney(issued.card.deposit) },
            ]}
          />
        </>
      )}
    </>
  );
}
