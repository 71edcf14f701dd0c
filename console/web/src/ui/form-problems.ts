import type { Problem, Problems } from '../lib/form-check';
import { refusedFields } from '../i18n/errors';
import { useI18n } from '../i18n/i18n';

/**
 * A form's field messages in the user's language: what the form's own check finds (shown once
 * the user has tried to submit), else what the service refused in the last attempt.
 */
export function useFieldProblems<F extends string>(
  problems: Problems<F>,
  shown: boolean,
  serverError: unknown,
): (field: F) => string | undefined {
  const { t } = useI18n();
  const refused = refusedFields(serverError);
  return (field) => {
    const own: Problem | undefined = shown ? problems[field] : undefined;
    if (own !== undefined) return t(`form.${own}`);
    const hit = refused.some((p) => p === field || p.startsWith(`${field}.`));
    return hit ? t('form.refused') : undefined;
  };
}
