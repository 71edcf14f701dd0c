import { useId, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import type { ApiClient } from '../../api/client';
import type { Branch, Counter } from '../../api/types';
import { refusedFields } from '../../i18n/errors';
import { useI18n } from '../../i18n/i18n';
import { useApi } from '../../session/session';
import { useAction, useAsync } from '../../ui/hooks';
import { DateTime, ErrorAlert, ListState, Section, TextField } from '../../ui/ui';

/** As long as issuance lets a counter's name be (counterPatch). */
const COUNTER_NAME_MAX = 100;

/** A branch's counters: their ids are what a workstation and a reader agent are set up with. */
export function CountersPanel({
  branch,
  admin,
}: {
  readonly branch: Branch;
  readonly admin: boolean;
}) {
  const { t } = useI18n();
  const api = useApi();
  const list = useAsync(
    () =>
      api
        .get<{ items: Counter[] }>('issuance', `/branches/${branch.id}/counters`)
        .then((r) => r.items),
    [api, branch.id],
  );
  const action = useAction();
  const toggle = (c: Counter): void =>
    void action.run(async () => {
      await api.patch<Counter>('issuance', `/counters/${c.id}`, { active: !c.active });
      list.reload();
    });
  // One counter is renamed at a time; closing its form gives the focus back to its button.
  const [renaming, setRenaming] = useState<string | null>(null);
  const renameButtons = useRef(new Map<string, HTMLButtonElement>());
  const closeRename = (c: Counter, renamed: boolean): void => {
    setRenaming(null);
    if (renamed) list.reload();
    renameButtons.current.get(c.id)?.focus();
  };

  return (
    <Section title={t('counters.title', { name: branch.name })}>
      <ErrorAlert error={list.error ?? action.error} />
      <ListState state={list} empty={t('counters.none')}>
        {(rows) => (
          <table data-testid="counters">
            <caption>{t('counters.list', { name: branch.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('counters.code')}</th>
                <th scope="col">{t('counters.name')}</th>
                <th scope="col">{t('counters.id')}</th>
                <th scope="col">{t('common.state')}</th>
                <th scope="col">{t('common.created')}</th>
                {admin && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td className="mono">{c.code}</td>
                  <td>
                    {admin && renaming === c.id ? (
                      <RenameCounter counter={c} onClose={(renamed) => closeRename(c, renamed)} />
                    ) : (
                      c.name
                    )}
                  </td>
                  <td className="mono">{c.id}</td>
                  <td>{c.active ? t('counters.active') : t('counters.inactive')}</td>
                  <td>
                    <DateTime value={c.createdAt} />
                  </td>
                  {admin && (
                    <td>
                      <div className="buttons">
                        <button
                          type="button"
                          ref={(el) => {
                            if (el === null) renameButtons.current.delete(c.id);
                            else renameButtons.current.set(c.id, el);
                          }}
                          onClick={() => setRenaming(c.id)}
                          aria-expanded={renaming === c.id}
                        >
                          {t('counters.rename', { code: c.code })}
                        </button>
                        <button type="button" onClick={() => toggle(c)} disabled={action.busy}>
                          {c.active
                            ? t('counters.deactivate', { code: c.code })
                            : t('counters.activate', { code: c.code })}
                        </button>
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListState>
      {admin && branch.closedAt === null && (
        <AddCounter branchId={branch.id} onAdded={list.reload} />
      )}
    </Section>
  );
}

/**
 * Saves a counter's new name: PATCH /counters/:id with the name alone, so whether the counter is
 * in service stays as it is. Nothing is sent for a blank name or the name it already has (null).
 */
export async function renameCounter(
  api: ApiClient,
  counter: Counter,
  draft: string,
): Promise<Counter | null> {
  const name = draft.trim();
  if (name === '' || name === counter.name) return null;
  return api.patch<Counter>('issuance', `/counters/${counter.id}`, { name });
}

function RenameCounter({
  counter,
  onClose,
}: {
  readonly counter: Counter;
  /** `renamed`: the name was changed, and the list is to be read again. */
  readonly onClose: (renamed: boolean) => void;
}) {
  const api = useApi();
  const action = useAction();
  const [draft, setDraft] = useState(counter.name);
  const save = (): void =>
    void action.run(async () => {
      const renamed = await renameCounter(api, counter, draft);
      onClose(renamed !== null);
    });
  return (
    <CounterNameForm
      counter={counter}
      draft={draft}
      busy={action.busy}
      error={action.error}
      onDraft={setDraft}
      onSave={save}
      onCancel={() => onClose(false)}
    />
  );
}

/** A counter's name being changed in its row: Enter saves, Escape leaves it as it was. */
export function CounterNameForm({
  counter,
  draft,
  busy,
  error,
  onDraft,
  onSave,
  onCancel,
}: {
  readonly counter: Counter;
  readonly draft: string;
  readonly busy: boolean;
  /** The last save's failure, shown in the user's language. */
  readonly error: unknown;
  readonly onDraft: (draft: string) => void;
  readonly onSave: () => void;
  readonly onCancel: () => void;
}) {
  const { t } = useI18n();
  const hintId = useId();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (busy || draft.trim() === '') return;
    onSave();
  };
  // On the form, so Escape also cancels from its buttons; a save under way is not left behind.
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || busy) return;
    event.preventDefault();
    event.stopPropagation();
    onCancel();
  };
  return (
    <form
      onSubmit={submit}
      onKeyDown={onKeyDown}
      className="inline"
      aria-label={t('counters.renameFor', { code: counter.code })}
    >
      <input
        value={draft}
        onChange={(e) => onDraft(e.target.value)}
        onFocus={(e) => e.target.select()}
        aria-label={t('counters.newName', { code: counter.code })}
        aria-describedby={hintId}
        aria-invalid={refusedFields(error).includes('name')}
        maxLength={COUNTER_NAME_MAX}
        autoFocus
      />
      <button type="submit" disabled={busy || draft.trim() === ''}>
        {busy ? t('common.working') : t('common.save')}
      </button>
      <button type="button" onClick={onCancel} disabled={busy}>
        {t('common.cancel')}
      </button>
      <span id={hintId} className="hint">
        {t('counters.renameHint')}
      </span>
      <ErrorAlert error={error} />
    </form>
  );
}

function AddCounter({
  branchId,
  onAdded,
}: {
  readonly branchId: string;
  readonly onAdded: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState({ code: '', name: '' });
  const ready = form.code.trim() !== '' && form.name.trim() !== '';
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!ready) return;
    void action.run(async () => {
      await api.post<Counter>('issuance', `/branches/${branchId}/counters`, {
        code: form.code.trim(),
        name: form.name.trim(),
      });
      setForm({ code: '', name: '' });
      onAdded();
    });
  };
  return (
    <form onSubmit={submit} className="inline" aria-label={t('counters.add')}>
      <TextField
        label={t('counters.code')}
        value={form.code}
        onChange={(e) => setForm({ ...form, code: e.target.value })}
      />
      <TextField
        label={t('counters.name')}
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.target.value })}
      />
      <button type="submit" disabled={!ready || action.busy}>
        {t('counters.addSubmit')}
      </button>
      <ErrorAlert error={action.error} />
    </form>
  );
}
