import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from '../../api/client';
import type { Counter } from '../../api/types';
import { translate } from '../../i18n/i18n';
import { escaped, markupIn } from '../../testing/markup';
import { CounterNameForm, renameCounter } from './CountersPanel';

interface Seen {
  url: string;
  method: string | undefined;
  body: unknown;
}

/** The console's own API client over a stand-in for the console server, as in client.test.ts. */
function issuance(status: number, answer: unknown) {
  const seen: Seen[] = [];
  const api = createApiClient({
    token: () => 'tok',
    onUnauthenticated: () => undefined,
    fetch: (input, init) => {
      seen.push({
        url: input instanceof Request ? input.url : String(input),
        method: init?.method,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      });
      return Promise.resolve(
        new Response(JSON.stringify(answer), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      );
    },
  });
  return { api, seen };
}

const counter: Counter = {
  id: '3f9a1c2e-7b4d-4e8f-a0b1-c2d3e4f5a601',
  branchId: '8b2e4d6f-1a3c-4e5b-9d7f-0a1b2c3d4e02',
  code: 'C01',
  name: '一号窗口',
  active: true,
  createdAt: '2026-11-01T01:00:00.000Z',
};

const form = (part: { draft?: string; busy?: boolean; error?: unknown } = {}) => (
  <CounterNameForm
    counter={counter}
    draft={part.draft ?? counter.name}
    busy={part.busy ?? false}
    error={part.error}
    onDraft={() => undefined}
    onSave={() => undefined}
    onCancel={() => undefined}
  />
);

describe('renaming a counter', () => {
  it('sends PATCH /counters/:id with the new name alone', async () => {
    const { api, seen } = issuance(200, { ...counter, name: '二号窗口' });
    const renamed = await renameCounter(api, counter, '  二号窗口 ');
    expect(seen).toEqual([
      {
        url: `/api/issuance/counters/${counter.id}`,
        method: 'PATCH',
        body: { name: '二号窗口' },
      },
    ]);
    expect(renamed?.name).toBe('二号窗口');
  });

  it('sends nothing for a blank name or the name the counter already has', async () => {
    const { api, seen } = issuance(200, counter);
    await expect(renameCounter(api, counter, '   ')).resolves.toBeNull();
    await expect(renameCounter(api, counter, ` ${counter.name} `)).resolves.toBeNull();
    expect(seen).toEqual([]);
  });

  it("shows the service's refusal in the user's language", async () => {
    const { api, seen } = issuance(403, { code: 'FORBIDDEN', message: 'Admins only' });
    const error = await renameCounter(api, counter, '二号窗口').catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(ApiError);

    const zh = markupIn('zh-CN', form({ draft: '二号窗口', error }));
    expect(zh).toContain('role="alert"');
    expect(zh).toContain('data-code="FORBIDDEN"');
    expect(zh).toContain('当前角色无权执行此操作');
    // A code the English catalogue does not list shows the service's own message.
    const en = markupIn('en', form({ draft: '二号窗口', error }));
    expect(en).toContain('Admins only');
    expect(en).not.toContain('当前角色无权执行此操作');
  });

  it('marks the name refused when the service says it is invalid', async () => {
    const { api } = issuance(400, {
      code: 'VALIDATION_FAILED',
      message: 'Invalid request',
      details: { issues: [{ path: 'body.name', message: 'must not contain control characters' }] },
    });
    const error = await renameCounter(api, counter, 'A\u0007B').catch((e: unknown) => e);
    const html = markupIn('zh-CN', form({ draft: 'A\u0007B', error }));
    expect(html).toContain('输入内容有误 (name)');
    expect(html).toContain('aria-invalid="true"');
  });

  it('labels the field and its buttons, and shows no alert before a save fails', () => {
    const zh = markupIn('zh-CN', form());
    expect(zh).toContain(
      `aria-label="${translate('zh-CN', 'counters.renameFor', { code: 'C01' })}"`,
    );
    expect(zh).toContain(`aria-label="${translate('zh-CN', 'counters.newName', { code: 'C01' })}"`);
    expect(zh).toContain(`value="${counter.name}"`);
    expect(zh).toContain('maxLength="100"');
    expect(zh).toContain(escaped(translate('zh-CN', 'counters.renameHint')));
    expect(zh).toContain('aria-invalid="false"');
    expect(zh).not.toContain('role="alert"');
    const en = markupIn('en', form());
    expect(en).toContain('aria-label="New name of counter C01"');
    expect(en).toContain('>Save</button>');
    expect(en).toContain('>Cancel</button>');
  });

  it('cannot save a blank name, nor twice while a save is under way', () => {
    expect(markupIn('en', form({ draft: '  ' }))).toMatch(/<button type="submit" disabled="">/);
    const busy = markupIn('en', form({ draft: '二号窗口', busy: true }));
    expect(busy).toContain('<button type="submit" disabled="">Working…</button>');
    expect(busy).toContain('<button type="button" disabled="">Cancel</button>');
    expect(markupIn('en', form({ draft: '二号窗口' }))).toContain(
      '<button type="submit">Save</button>',
    );
  });
});
