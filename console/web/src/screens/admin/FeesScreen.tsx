import { useI18n } from '../../i18n/i18n';
import { Alert, PageTitle } from '../../ui/ui';

/**
 * Fee schedules are versioned in clearing (clearing/src/fees) but have no HTTP route yet, so this
 * screen says what it would show and what it needs rather than showing nothing.
 */
export function FeesScreen() {
  const { t } = useI18n();
  return (
    <div>
      <PageTitle>{t('fees.title')}</PageTitle>
      <Alert tone="info">{t('fees.unavailable')}</Alert>
      <p className="hint mono">GET /v1/fee-schedules · POST /v1/fee-schedules · GET /v1/parties</p>
    </div>
  );
}
