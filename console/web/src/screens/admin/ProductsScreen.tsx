import { useState } from 'react';
import type { Product } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { parseMoneyInput } from '../../lib/money';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { ErrorAlert, Loading, Money, PageTitle, Section, TextField } from '../../ui/ui';
import { LoadLimits } from './LoadLimits';

/** Card products (deposit, maximum balance); a change applies to cards issued after it. */
export function ProductsScreen() {
  const { t } = useI18n();
  const api = useApi();
  const list = useAsync(
    () => api.get<{ items: Product[] }>('issuance', '/products').then((r) => r.items),
    [api],
  );
  const [editing, setEditing] = useState<Product | null>(null);

  return (
    <div>
      <PageTitle>{t('products.title')}</PageTitle>
      <ErrorAlert error={list.error} />
      {list.loading && list.data === undefined && <Loading />}
      {list.data !== undefined && (
        <table>
          <caption>{t('products.list')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('products.code')}</th>
              <th scope="col">{t('products.name')}</th>
              <th scope="col" className="num">
                {t('card.deposit')}
              </th>
              <th scope="col" className="num">
                {t('products.maxBalance')}
              </th>
              <th scope="col">{t('products.validity')}</th>
              <th scope="col">{t('common.state')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((p) => (
              <tr key={p.code}>
                <td className="mono">{p.code}</td>
                <td>{p.name}</td>
                <td className="num">
                  <Money value={p.deposit} />
                </td>
                <td className="num">
                  <Money value={p.maxBalance} />
                </td>
                <td>{t('products.years', { years: p.validityYears })}</td>
                <td>{p.active ? t('common.enabled') : t('common.disabled')}</td>
                <td>
                  <button type="button" onClick={() => setEditing(p)}>
                    {t('common.edit')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing !== null && (
        <EditProduct
          key={editing.code}
          product={editing}
          onDone={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
      <LoadLimits />
    </div>
  );
}

function EditProduct({
  product,
  onDone,
}: {
  readonly product: Product;
  readonly onDone: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [deposit, setDeposit] = useState(product.deposit);
  const [maxBalance, setMaxBalance] = useState(product.maxBalance);
  const [active, setActive] = useState(product.active);
  const action = useAction();
  const d = parseMoneyInput(deposit);
  const m = parseMoneyInput(maxBalance);
  const save = (): void => {
    if (d === undefined || m === undefined) return;
    void action.run(async () => {
      await api.patch('issuance', `/products/${encodeURIComponent(product.code)}`, {
        deposit: d,
        maxBalance: m,
        active,
      });
      onDone();
    });
  };
  return (
    <Section title={t('products.edit', { name: product.name })}>
      <form
        className="inline"
        aria-label={t('products.edit', { name: product.name })}
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <TextField
          label={t('card.deposit')}
          inputMode="decimal"
          value={deposit}
          onChange={(e) => setDeposit(e.target.value)}
        />
        <TextField
          label={t('products.maxBalance')}
          inputMode="decimal"
          value={maxBalance}
          onChange={(e) => setMaxBalance(e.target.value)}
        />
        <div className="field">
          <label>
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />{' '}
            {t('products.active')}
          </label>
        </div>
        <button type="submit" disabled={d === undefined || m === undefined || action.busy}>
          {t('common.save')}
        </button>
      </form>
      <ErrorAlert error={action.error} />
    </Section>
  );
}
