import { useState } from 'react';
import type { Party } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { EMPTY_PARTY_FORM } from '../../lib/party-form';
import { Empty, Section, SelectField } from '../../ui/ui';
import { OperatorOptions, useOperatorOptions } from './operator-options';
import { PartyEdit } from './PartyDetail';

/** Settlement data for an operator the gateway knows but clearing has no party for yet. */
export function AddParty({
  parties,
  onSaved,
}: {
  readonly parties: readonly Party[];
  readonly onSaved: () => void;
}) {
  const { t } = useI18n();
  const operators = useOperatorOptions();
  const [operatorId, setOperatorId] = useState('');
  const known = new Set(parties.map((p) => p.id));
  const missing = (operators.data ?? []).filter((o) => !known.has(o.id));
  const chosen = missing.find((o) => o.id === operatorId);
  if (operators.data === undefined) return null;
  return (
    <Section title={t('parties.add')}>
      {missing.length === 0 ? (
        <Empty>{t('parties.allHaveParty')}</Empty>
      ) : (
        <SelectField
          label={t('parties.addFor')}
          value={operatorId}
          onChange={(e) => setOperatorId(e.target.value)}
        >
          <option value="">—</option>
          <OperatorOptions operators={missing} />
        </SelectField>
      )}
      {chosen !== undefined && (
        <PartyEdit
          key={chosen.id}
          id={chosen.id}
          kind="operator"
          initial={{ ...EMPTY_PARTY_FORM, name: chosen.name }}
          label={t('parties.add')}
          onSaved={() => {
            setOperatorId('');
            onSaved();
          }}
          onCancel={() => setOperatorId('')}
        />
      )}
    </Section>
  );
}
