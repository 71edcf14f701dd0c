import { useId } from 'react';
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { formatDateTime } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { errorCode, errorText } from '../i18n/errors';
import { useI18n } from '../i18n/i18n';
import type { AsyncState } from './hooks';

interface FieldProps {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly problem?: string | undefined;
}

/** A field's hint or problem below it, tied to the control by aria-describedby. */
function FieldNote({ id, hint, problem }: FieldProps & { readonly id: string }): ReactNode {
  if (hint === undefined && problem === undefined) return null;
  return (
    <div id={id} className={problem === undefined ? 'hint' : 'hint problem'}>
      {problem ?? hint}
    </div>
  );
}

function noteProps(id: string, { hint, problem }: Omit<FieldProps, 'label'>) {
  return {
    'aria-invalid': problem !== undefined,
    'aria-describedby': hint !== undefined || problem !== undefined ? `${id}-hint` : undefined,
  };
}

export function TextField({
  label,
  hint,
  problem,
  ...input
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...noteProps(id, { hint, problem })} {...input} />
      <FieldNote id={`${id}-hint`} label={label} hint={hint} problem={problem} />
    </div>
  );
}

export function SelectField({
  label,
  hint,
  problem,
  children,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { readonly children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...noteProps(id, { hint, problem })} {...select}>
        {children}
      </select>
      <FieldNote id={`${id}-hint`} label={label} hint={hint} problem={problem} />
    </div>
  );
}

export function Alert({
  tone,
  children,
}: {
  readonly tone: 'error' | 'info' | 'success' | 'warning';
  readonly children: ReactNode;
}) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A failed call, in the user's language; nothing when there is no error. */
export function ErrorAlert({ error }: { readonly error: unknown }) {
  const { lang } = useI18n();
  if (error === undefined || error === null) return null;
  return (
    <div className="alert alert-error" role="alert" data-code={errorCode(error)}>
      {errorText(error, lang)}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { readonly children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A list being loaded: the loading line, the empty message, or the rows drawn by `children`. */
export function ListState<T>({
  state,
  empty,
  children,
}: {
  readonly state: Pick<AsyncState<readonly T[]>, 'data' | 'loading'>;
  readonly empty: ReactNode;
  readonly children: (rows: readonly T[]) => ReactNode;
}) {
  if (state.data === undefined) return state.loading ? <Loading /> : null;
  if (state.data.length === 0) return <Empty>{empty}</Empty>;
  return <>{children(state.data)}</>;
}

export function Money({ value, sign }: { readonly value: string | null; readonly sign?: boolean }) {
  return <span className="money">{formatMoney(value, { sign: sign === true })}</span>;
}

export function DateTime({ value }: { readonly value: string | null | undefined }) {
  const { lang } = useI18n();
  return <time dateTime={value ?? undefined}>{formatDateTime(value, lang)}</time>;
}

export function Kbd({ children }: { readonly children: ReactNode }) {
  return <kbd>{children}</kbd>;
}

export function Section({
  title,
  actions,
  children,
}: {
  readonly title: string;
  readonly actions?: ReactNode;
  readonly children: ReactNode;
}) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <header className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions !== undefined && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A page's title, focused on arrival so a screen reader announces where the user now is. */
export function PageTitle({ children }: { readonly children: ReactNode }) {
  return (
    <h1 className="page-title" tabIndex={-1}>
      {children}
    </h1>
  );
}
