import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { formatDateTime } from '../lib/dates';
import { useSession } from '../session/session';
import { Kbd } from './ui';
import { useShortcut } from './hooks';

export interface ReceiptLine {
  readonly label: string;
  readonly value: ReactNode;
}

/**
 * A printable slip for a cash movement. Printing shows the slip alone (styles.css @media print);
 * F8 prints it, so a clerk never leaves the keyboard.
 */
export function Receipt({
  title,
  lines,
  reference,
  at,
}: {
  readonly title: string;
  readonly lines: readonly ReceiptLine[];
  /** The id of what was recorded (load, card, drawer), to find it again. */
  readonly reference?: string;
  readonly at?: string;
}) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  useShortcut('F8', () => window.print());
  return (
    <article className="receipt" aria-label={t('receipt.label')} data-testid="receipt">
      <h3>{t('receipt.issuer')}</h3>
      <p className="receipt-title">{title}</p>
      <dl>
        {lines.map((line) => (
          <div key={line.label} className="receipt-line">
            <dt>{line.label}</dt>
            <dd>{line.value}</dd>
          </div>
        ))}
        <div className="receipt-line">
          <dt>{t('receipt.time')}</dt>
          <dd>{formatDateTime(at ?? new Date().toISOString(), lang)}</dd>
        </div>
        {session !== null && (
          <div className="receipt-line">
            <dt>{t('receipt.clerk')}</dt>
            <dd>{session.staff.displayName}</dd>
          </div>
        )}
        {reference !== undefined && (
          <div className="receipt-line">
            <dt>{t('receipt.reference')}</dt>
            <dd className="mono">{reference}</dd>
          </div>
        )}
      </dl>
      <p className="receipt-foot">{t('receipt.keep')}</p>
      <button type="button" className="no-print" onClick={() => window.print()}>
        {t('receipt.print')} <Kbd>F8</Kbd>
      </button>
    </article>
  );
}
