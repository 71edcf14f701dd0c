import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { Drawer } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatMoney, parseMoneyInput } from '../../lib/money';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { Receipt, type ReceiptLine } from '../../ui/Receipt';
import {
  DateTime,
  Empty,
  ErrorAlert,
  Loading,
  Money,
  PageTitle,
  Section,
  SelectField,
  TextField,
} from '../../ui/ui';
import { useCounterId } from './counter';

interface Slip {
  readonly title: string;
  readonly lines: readonly ReceiptLine[];
  readonly reference: string;
}

export function DrawerScreen() {
  const { t } = useI18n();
  const api = useApi();
  const [slip, setSlip] = useState<Slip | null>(null);
  const current = useAsync(async () => {
    try {
      return await api.get<Drawer>('issuance', '/drawers/current');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'DRAWER_NOT_OPEN') return null;
      throw err;
    }
  }, [api]);
  const done = (next: Slip): void => {
    setSlip(next);
    current.reload();
  };

  return (
    <div>
      <PageTitle>{t('drawer.title')}</PageTitle>
      {current.loading && current.data === undefined && <Loading />}
      <ErrorAlert error={current.error} />
      {current.data === null && <OpenDrawer onDone={done} />}
      {current.data !== null && current.data !== undefined && (
        <OpenDrawerView drawer={current.data} onDone={done} />
      )}
      {slip !== null && (
        <Receipt title={slip.title} lines={slip.lines} reference={slip.reference} />
      )}
    </div>
  );
}

function OpenDrawer({ onDone }: { readonly onDone: (slip: Slip) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const counterId = useCounterId();
  const [float, setFloat] = useState('');
  const action = useAction();
  const amount = parseMoneyInput(float);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (amount === undefined) return;
    void action.run(async () => {
      const drawer = await api.post<Drawer>('issuance', '/drawers/open', {
        openingFloat: amount,
        ...(counterId === '' ? {} : { counterId }),
      });
      onDone({
        title: t('drawer.opened'),
        lines: [{ label: t('drawer.openingFloat'), value: formatMoney(drawer.openingFloat) }],
        reference: drawer.id,
      });
    });
  };
  return (
    <Section title={t('drawer.open')}>
      <p>{t('drawer.notOpen')}</p>
      <form onSubmit={submit} aria-label={t('drawer.open')}>
        <TextField
          label={t('drawer.openingFloat')}
          name="openingFloat"
          inputMode="decimal"
          autoFocus
          value={float}
          onChange={(e) => setFloat(e.target.value)}
          problem={float !== '' && amount === undefined ? t('money.invalid') : undefined}
        />
        <ErrorAlert error={action.error} />
        <button type="submit" className="primary" disabled={amount === undefined || action.busy}>
          {t('drawer.open')}
        </button>
      </form>
    </Section>
  );
}

function OpenDrawerView({
  drawer,
  onDone,
}: {
  readonly drawer: Drawer;
  readonly onDone: (slip: Slip) => void;
}) {
  const { t, label } = useI18n();
  const movements = drawer.movements ?? [];
  return (
    <>
      <Section title={t('drawer.current')}>
        <dl className="facts">
          <dt>{t('drawer.openedAt')}</dt>
          <dd>
            <DateTime value={drawer.openedAt} />
          </dd>
          <dt>{t('drawer.openingFloat')}</dt>
          <dd>
            <Money value={drawer.openingFloat} />
          </dd>
          <dt>{t('drawer.expectedCash')}</dt>
          <dd data-testid="expected-cash">
            <Money value={drawer.expectedCash} />
          </dd>
        </dl>
        {movements.length === 0 ? (
          <Empty>{t('drawer.noMovements')}</Empty>
        ) : (
          <table>
            <caption>{t('drawer.movements')}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('common.time')}</th>
                <th scope="col">{t('drawer.kind')}</th>
                <th scope="col" className="num">
                  {t('common.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {movements.map((m) => (
                <tr key={m.id}>
                  <td>{m.seq}</td>
                  <td>
                    <DateTime value={m.at} />
                  </td>
                  <td>{label('cashKind', m.kind)}</td>
                  <td className="num">
                    <Money value={m.amount} sign />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <FloatForm onDone={onDone} />
      <CloseForm drawer={drawer} onDone={onDone} />
    </>
  );
}

function FloatForm({ onDone }: { readonly onDone: (slip: Slip) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [direction, setDirection] = useState<'in' | 'out'>('in');
  const [value, setValue] = useState('');
  const action = useAction();
  const amount = parseMoneyInput(value);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (amount === undefined) return;
    const signed = direction === 'in' ? amount : `-${amount}`;
    void action.run(async () => {
      const made = await api.post<{ id: string }>('issuance', '/drawers/current/float', {
        amount: signed,
      });
      setValue('');
      onDone({
        title: t(direction === 'in' ? 'drawer.floatIn' : 'drawer.floatOut'),
        lines: [{ label: t('common.amount'), value: formatMoney(signed, { sign: true }) }],
        reference: made.id,
      });
    });
  };
  return (
    <Section title={t('drawer.float')}>
      <form onSubmit={submit} className="inline" aria-label={t('drawer.float')}>
        <SelectField
          label={t('drawer.direction')}
          value={direction}
          onChange={(e) => setDirection(e.target.value === 'out' ? 'out' : 'in')}
        >
          <option value="in">{t('drawer.floatIn')}</option>
          <option value="out">{t('drawer.floatOut')}</option>
        </SelectField>
        <TextField
          label={t('common.amount')}
          inputMode="decimal"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          problem={value !== '' && amount === undefined ? t('money.invalid') : undefined}
        />
        <button type="submit" disabled={amount === undefined || action.busy}>
          {t('common.record')}
        </button>
      </form>
      <ErrorAlert error={action.error} />
    </Section>
  );
}

function CloseForm({
  drawer,
  onDone,
}: {
  readonly drawer: Drawer;
  readonly onDone: (slip: Slip) => void;
}) {
  const { t, label } = useI18n();
  const api = useApi();
  const [counted, setCounted] = useState('');
  const action = useAction();
  const amount = parseMoneyInput(counted);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (amount === undefined) return;
    void action.run(async () => {
      const closed = await api.post<Drawer>('issuance', '/drawers/current/close', {
        countedCash: amount,
      });
      onDone({
        title: t('drawer.closed'),
        lines: [
          { label: t('drawer.expectedCash'), value: formatMoney(closed.expectedCash) },
          { label: t('drawer.countedCash'), value: formatMoney(closed.countedCash) },
          { label: t('drawer.difference'), value: formatMoney(closed.difference, { sign: true }) },
          { label: t('drawer.result'), value: label('drawerResult', closed.result ?? '') },
        ],
        reference: drawer.id,
      });
    });
  };
  return (
    <Section title={t('drawer.close')}>
      <form onSubmit={submit} className="inline" aria-label={t('drawer.close')}>
        <TextField
          label={t('drawer.countedCash')}
          inputMode="decimal"
          value={counted}
          onChange={(e) => setCounted(e.target.value)}
          problem={counted !== '' && amount === undefined ? t('money.invalid') : undefined}
        />
        <button type="submit" disabled={amount === undefined || action.busy}>
          {t('drawer.close')}
        </button>
      </form>
      <ErrorAlert error={action.error} />
    </Section>
  );
}
