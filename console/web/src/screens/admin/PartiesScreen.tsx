import { useState } from 'react';
import type { Party, PartyKind } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { useApi, useSession } from '../../session/session';
import { useAsync } from '../../ui/hooks';
import { DateTime, ErrorAlert, ListState, PageTitle, Section, SelectField } from '../../ui/ui';
import { AddParty } from './AddParty';
import { PartyDetail } from './PartyDetail';

/** Clearing parties: the issuer's accounts and each operator's settlement data. */
export function PartiesScreen() {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const [kind, setKind] = useState<'' | PartyKind>('');
  const [openId, setOpenId] = useState<string | null>(null);
  const list = useAsync(
    () =>
      api
        .get<{ parties: Party[] }>('clearing', '/v1/parties', {
          kind: kind === '' ? undefined : kind,
        })
        .then((r) => r.parties),
    [api, kind],
  );

  return (
    <div>
      <PageTitle>{t('parties.title')}</PageTitle>
      <div className="inline">
        <SelectField
          label={t('parties.kind')}
          value={kind}
          onChange={(e) => setKind(e.target.value as '' | PartyKind)}
        >
          <option value="">{t('common.all')}</option>
          <option value="issuer">{t('partyKind.issuer')}</option>
          <option value="operator">{t('partyKind.operator')}</option>
        </SelectField>
      </div>
      <ErrorAlert error={list.error} />
      <ListState state={list} empty={t('parties.none')}>
        {(rows) => (
          <table data-testid="parties">
            <caption>{t('parties.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('parties.id')}</th>
                <th scope="col">{t('parties.name')}</th>
                <th scope="col">{t('parties.kind')}</th>
                <th scope="col">{t('parties.bankAccountNumber')}</th>
                <th scope="col">{t('parties.contactName')}</th>
                <th scope="col">{t('parties.changedAt')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} aria-selected={p.id === openId}>
                  <td className="mono">{p.id}</td>
                  <td>{p.name}</td>
                  <td>{label('partyKind', p.kind)}</td>
                  <td className="mono">{p.bankAccountNumber ?? t('parties.noAccount')}</td>
                  <td>{p.contactName ?? '—'}</td>
                  <td>
                    <DateTime value={p.changedAt} />
                  </td>
                  <td>
                    <button type="button" onClick={() => setOpenId(p.id)}>
                      {t('parties.open', { name: p.name })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {openId !== null && (
        <Section title={t('parties.detail')}>
          <PartyDetail
            key={openId}
            partyId={openId}
            canEdit={hasRole('admin')}
            onSaved={list.reload}
          />
        </Section>
      )}
      {hasRole('admin') && kind === '' && list.data !== undefined && (
        <AddParty parties={list.data} onSaved={list.reload} />
      )}
    </div>
  );
}
