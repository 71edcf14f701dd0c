import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CardholderSummary } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { href } from '../../lib/router';
import { useApi } from '../../session/session';
import { useAction } from '../../ui/hooks';
import { Empty, ErrorAlert, PageTitle, Section, SelectField, TextField } from '../../ui/ui';
import { EditCardholder } from './EditCardholder';
import { RegisterCardholder } from './RegisterCardholder';

type SearchBy = 'idNumber' | 'name' | 'cardNumber';

interface Found {
  readonly items: CardholderSummary[];
  readonly truncated: boolean;
}

export function CardholdersScreen() {
  const { t } = useI18n();
  return (
    <div>
      <PageTitle>{t('cardholders.title')}</PageTitle>
      <FindCardholder />
      <RegisterCardholder />
    </div>
  );
}

function FindCardholder() {
  const { t, label } = useI18n();
  const api = useApi();
  const [by, setBy] = useState<SearchBy>('idNumber');
  const [text, setText] = useState('');
  const [found, setFound] = useState<Found | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const action = useAction();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const value = text.trim();
    if (value === '') return;
    void action.run(async () => {
      // Identity numbers travel in a POST body, never in a URL that a log or history keeps.
      const result =
        by === 'idNumber'
          ? await api.post<Found>('issuance', '/cardholders/search', { idNumber: value })
          : await api.get<Found>('issuance', '/cardholders', { [by]: value });
      setFound(result);
      setEditing(null);
    });
  };

  return (
    <Section title={t('cardholders.find')}>
      <form onSubmit={submit} className="inline" role="search" aria-label={t('cardholders.find')}>
        <SelectField
          label={t('cardholders.searchBy')}
          value={by}
          onChange={(e) => setBy(e.target.value as SearchBy)}
        >
          <option value="idNumber">{t('cardholders.byIdNumber')}</option>
          <option value="name">{t('cardholders.byName')}</option>
          <option value="cardNumber">{t('cardholders.byCardNumber')}</option>
        </SelectField>
        <TextField
          label={t('cardholders.searchText')}
          name="search"
          autoFocus
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" disabled={action.busy}>
          {t('common.search')}
        </button>
      </form>
      <ErrorAlert error={action.error} />
      {found !== null && found.items.length === 0 && <Empty>{t('cardholders.none')}</Empty>}
      {found !== null && found.items.length > 0 && (
        <table data-testid="cardholder-results">
          <caption>{t('cardholders.results')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('cardholders.name')}</th>
              <th scope="col">{t('cardholders.document')}</th>
              <th scope="col">{t('cardholders.dateOfBirth')}</th>
              <th scope="col">{t('cardholders.phone')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {found.items.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>
                  {label('documentType', c.documentType)}{' '}
                  <span className="mono">{c.maskedIdNumber}</span>
                </td>
                <td>{c.dateOfBirth}</td>
                <td>{c.maskedPhone ?? '—'}</td>
                <td>
                  <div className="buttons">
                    <a href={href('/counter/issue', { holder: c.id })}>
                      {t('cardholders.issueFor')}
                    </a>
                    <button type="button" onClick={() => setEditing(c.id)}>
                      {t('editHolder.open', { name: c.name })}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {found?.truncated === true && <p className="hint">{t('cardholders.truncated')}</p>}
      {editing !== null && (
        <EditCardholder key={editing} cardholderId={editing} onClose={() => setEditing(null)} />
      )}
    </Section>
  );
}
