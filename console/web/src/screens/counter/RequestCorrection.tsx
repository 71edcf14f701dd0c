import { useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import { href } from '../../lib/router';
import { useApi } from '../../session/session';
import { useAction } from '../../ui/hooks';
import { Alert, ErrorAlert, Section, TextField } from '../../ui/ui';
import { reasonProblem } from './counter';

/**
 * When the chip and the back office disagree, a supervisor at the counter asks for a correction
 * against the read just made; a second supervisor decides it (Balance corrections).
 */
export function RequestCorrection({
  cardId,
  readPlanId,
}: {
  readonly cardId: string;
  readonly readPlanId: string;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction();
  const problem = reason === '' ? undefined : reasonProblem(reason);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (reasonProblem(reason) !== undefined) return;
    void action.run(async () => {
      await api.post('issuance', `/cards/${cardId}/balance-corrections`, {
        readPlanId,
        reason: reason.trim(),
      });
      setSent(true);
    });
  };
  return (
    <Section title={t('corrections.request')}>
      <form onSubmit={submit} className="inline" aria-label={t('corrections.request')}>
        <TextField
          label={t('actions.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          problem={problem === undefined ? undefined : t(`reason.${problem}`)}
        />
        <button type="submit" disabled={reason.trim() === '' || action.busy}>
          {t('corrections.request')}
        </button>
      </form>
      <ErrorAlert error={action.error} />
      {sent && (
        <Alert tone="success">
          {t('corrections.requested')}{' '}
          <a href={href('/supervisor/corrections')}>{t('nav.corrections')}</a>
        </Alert>
      )}
    </Section>
  );
}
