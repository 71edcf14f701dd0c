import { useI18n } from '../i18n/i18n';
import { href } from '../lib/router';
import { useAction, useShortcut } from '../ui/hooks';
import { Alert, ErrorAlert, Kbd, Money } from '../ui/ui';
import { useReader } from './reader-context';

/**
 * The card on the counter's reader, live from the reader agent: present or not, its UID, and what
 * the last read found (product, state, balance on the chip beside the back office's own).
 */
export function ReaderPanel() {
  const { t, label } = useI18n();
  const reader = useReader();
  const action = useAction();
  const read = (): void => void action.run(() => reader.read());
  useShortcut('F2', read, reader.card !== null);
  const snapshot = reader.lastRead?.card;

  return (
    <aside className="reader-panel" aria-label={t('reader.title')} aria-live="polite">
      <h2>{t('reader.title')}</h2>
      <p className={`agent-status agent-${reader.status}`} data-testid="agent-status">
        {t(`reader.status.${reader.status}`)}
      </p>
      {reader.status === 'unconfigured' && <a href={href('/settings')}>{t('nav.settings')}</a>}
      {reader.reader !== undefined && <p className="reader-name">{reader.reader.name}</p>}
      {reader.status === 'online' && reader.card === null && (
        <p className="no-card" data-testid="no-card">
          {t('reader.noCard')}
        </p>
      )}
      {reader.card !== null && (
        <dl className="card-facts" data-testid="card-present">
          <dt>{t('reader.cardPresent')}</dt>
          <dd>
            UID <span className="mono">{reader.card.uid}</span>
          </dd>
        </dl>
      )}
      {reader.progress !== null && (
        <div>
          <label htmlFor="plan-progress">{t('reader.writing')}</label>
          <progress
            id="plan-progress"
            max={reader.progress.total}
            value={reader.progress.index + 1}
          />
        </div>
      )}
      {snapshot !== undefined && (
        <dl className="card-facts" data-testid="card-snapshot">
          <dt>{t('card.number')}</dt>
          <dd className="mono">{snapshot.cardNumberMasked ?? '—'}</dd>
          <dt>{t('card.product')}</dt>
          <dd>{snapshot.product ?? '—'}</dd>
          <dt>{t('card.state')}</dt>
          <dd>{label('cardState', snapshot.state)}</dd>
          <dt>{t('card.chipBalance')}</dt>
          <dd data-testid="chip-balance">
            <Money value={snapshot.balance} />
          </dd>
          <dt>{t('card.shadowBalance')}</dt>
          <dd>
            <Money value={snapshot.shadowBalance} />
          </dd>
        </dl>
      )}
      {snapshot?.mismatch === true && <Alert tone="warning">{t('reader.mismatch')}</Alert>}
      {snapshot !== undefined && snapshot.uncertainLoadsResolved > 0 && (
        <Alert tone="success">
          {t('reader.uncertainResolved', { count: snapshot.uncertainLoadsResolved })}
        </Alert>
      )}
      <ErrorAlert error={action.error} />
      <button
        type="button"
        onClick={read}
        disabled={reader.card === null || action.busy}
        data-testid="read-card"
      >
        {action.busy ? t('common.working') : t('reader.read')} <Kbd>F2</Kbd>
      </button>
    </aside>
  );
}
