import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CardDetail } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { useApi, useSession } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { DateTime, ErrorAlert, ListState, Money, PageTitle, Section, TextField } from '../../ui/ui';
import { reasonProblem } from '../counter/counter';

interface Correction {
  id: string;
  cardBalance: string;
  shadowBalance: string;
  amount: string;
  reason: string;
  state: 'requested' | 'approved' | 'rejected';
  requestedAt: string;
  decisionNote: string | null;
}

/**
 * Balance corrections of a card (the chip and the back office disagree): requested at the counter
 * against a read of the card, approved or rejected here by a second supervisor.
 */
export function CorrectionsScreen() {
  const { t } = useI18n();
  const api = useApi();
  const [number, setNumber] = useState('');
  const [card, setCard] = useState<CardDetail | null>(null);
  const find = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const n = number.replace(/[\s-]/g, '');
    if (n === '') return;
    void find.run(async () =>
      setCard(await api.get<CardDetail>('issuance', `/cards/by-number/${encodeURIComponent(n)}`)),
    );
  };
  return (
    <div>
      <PageTitle>{t('corrections.title')}</PageTitle>
      <form onSubmit={submit} className="inline" role="search" aria-label={t('card.findByNumber')}>
        <TextField
          label={t('card.findByNumber')}
          inputMode="numeric"
          autoFocus
          value={number}
          onChange={(e) => setNumber(e.target.value)}
        />
        <button type="submit" disabled={find.busy}>
          {t('common.search')}
        </button>
      </form>
      <ErrorAlert error={find.error} />
      {card !== null && <CardCorrections card={card} />}
    </div>
  );
}

function CardCorrections({ card }: { readonly card: CardDetail }) {
  const { t, label } = useI18n();
  const api = useApi();
  const { hasRole } = useSession();
  const list = useAsync(
    () =>
      api
        .get<{ items: Correction[] }>('issuance', `/cards/${card.id}/balance-corrections`)
        .then((r) => r.items),
    [api, card.id],
  );
  const [note, setNote] = useState('');
  const action = useAction();
  const problem = note === '' ? undefined : reasonProblem(note);
  const decide = (id: string, verb: 'approve' | 'reject'): void =>
    void action.run(async () => {
      const body = note.trim() === '' ? undefined : { note: note.trim() };
      await api.post('issuance', `/balance-corrections/${id}/${verb}`, body);
      setNote('');
      list.reload();
    });

  return (
    <Section title={t('corrections.ofCard', { number: card.cardNumber ?? card.uid })}>
      <p>
        {t('card.shadowBalance')}: <Money value={card.shadowBalance} />
      </p>
      <ErrorAlert error={list.error ?? action.error} />
      <ListState state={list} empty={t('corrections.none')}>
        {(rows) => (
          <>
            <TextField
              label={t('corrections.note')}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              problem={problem === undefined ? undefined : t(`reason.${problem}`)}
            />
            <table>
              <caption>{t('corrections.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('common.time')}</th>
                  <th scope="col" className="num">
                    {t('card.chipBalance')}
                  </th>
                  <th scope="col" className="num">
                    {t('card.shadowBalance')}
                  </th>
                  <th scope="col" className="num">
                    {t('common.amount')}
                  </th>
                  <th scope="col">{t('actions.reason')}</th>
                  <th scope="col">{t('corrections.state')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <DateTime value={c.requestedAt} />
                    </td>
                    <td className="num">
                      <Money value={c.cardBalance} />
                    </td>
                    <td className="num">
                      <Money value={c.shadowBalance} />
                    </td>
                    <td className="num">
                      <Money value={c.amount} sign />
                    </td>
                    <td>{c.reason}</td>
                    <td>{label('correctionState', c.state)}</td>
                    <td>
                      {c.state === 'requested' && hasRole('supervisor') && (
                        <>
                          <button
                            type="button"
                            onClick={() => decide(c.id, 'approve')}
                            disabled={action.busy}
                          >
                            {t('corrections.approve')}
                          </button>
                          <button
                            type="button"
                            onClick={() => decide(c.id, 'reject')}
                            disabled={action.busy || note.trim() === ''}
                          >
                            {t('corrections.reject')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </ListState>
    </Section>
  );
}
