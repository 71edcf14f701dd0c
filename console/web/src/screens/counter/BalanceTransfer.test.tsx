import { describe, expect, it, vi } from 'vitest';
import type { CardDetail, TransferResult } from '../../api/types';
import { translate } from '../../i18n/i18n';
import { formatMoney } from '../../lib/money';
import { escaped, markupIn } from '../../testing/markup';
import { BalanceTransfer } from './BalanceTransfer';

// Nothing may be asked of the services or of the reader just by drawing the panel.
const calls = vi.hoisted(() => [] as string[]);
vi.mock('../../session/session', () => {
  const record = (method: string) => (_service: string, path: string) => {
    calls.push(`${method} ${path}`);
    return Promise.reject(new Error('not expected'));
  };
  const api = {
    get: record('GET'),
    post: record('POST'),
    patch: record('PATCH'),
    put: record('PUT'),
    download: record('DOWNLOAD'),
  };
  return { useApi: () => api };
});
vi.mock('../../reader/reader-context', () => {
  const reader = {
    workstation: { agentId: 'agent-1' },
    read: () => {
      calls.push('read');
      return Promise.reject(new Error('not expected'));
    },
    runPlan: (planId: string) => {
      calls.push(`runPlan ${planId}`);
      return Promise.reject(new Error('not expected'));
    },
  };
  return { useReader: () => reader };
});

const CARD_ID = '0b7f2d8e-5a51-4c2e-9f4f-3f0f6d5c1a01';
const OLD_CARD_ID = '6e1c9a40-2b7d-4d0a-8c83-9a5b7e2f4c02';

const card = (part: Partial<CardDetail> = {}): CardDetail => ({
  id: CARD_ID,
  uid: '04A1B2C3D4E5F6',
  cardNumber: '3100000000000017',
  state: 'active',
  productCode: 'STD',
  cardholderId: null,
  deposit: '20.00',
  issuedAt: '2026-11-01T02:00:00.000Z',
  expiresOn: '2031-11-01',
  replacedBy: null,
  product: { code: 'STD', name: '普通卡' },
  cardholder: null,
  depositHeld: true,
  shadowBalance: '0.00',
  transfers: [],
  transferCreditOwed: '0.00',
  ...part,
});

const transfer = (part: Partial<TransferResult> = {}): TransferResult => ({
  id: '9d3e0b6a-7c1f-4e2a-b5d4-1a2b3c4d5e03',
  fromCardId: OLD_CARD_ID,
  toCardId: CARD_ID,
  holdUntil: '2026-12-05T16:00:00.000Z',
  releasedAt: null,
  releasedAmount: null,
  amount: '1234.50',
  ...part,
});

const draw = (c: CardDetail, readPlanId: string | null = null, lang: 'zh-CN' | 'en' = 'zh-CN') =>
  markupIn(lang, <BalanceTransfer card={c} readPlanId={readPlanId} onDone={() => undefined} />);

describe('BalanceTransfer', () => {
  it('draws nothing when no transfer is held and nothing is owed', () => {
    expect(draw(card())).toBe('');
    const released = transfer({
      releasedAt: '2026-12-06T01:00:00.000Z',
      releasedAmount: '1234.50',
    });
    expect(draw(card({ transfers: [released] }))).toBe('');
    // Owed, but the card cannot take a write: there is nothing a clerk can do here.
    expect(draw(card({ state: 'blocked', transferCreditOwed: '25.00' }))).toBe('');
  });

  it('shows a held transfer with its amount and when it may be released', () => {
    const html = draw(card({ transfers: [transfer()] }));
    expect(html).toContain('data-testid="pending-transfer"');
    expect(html).toContain(translate('zh-CN', 'transfer.title'));
    expect(html).toContain(translate('zh-CN', 'transfer.incoming'));
    expect(html).not.toContain(translate('zh-CN', 'transfer.outgoing'));
    expect(html).toContain('<span class="money">¥1,234.50</span>');
    expect(html).toContain('dateTime="2026-12-05T16:00:00.000Z"');
    expect(html).toContain(translate('zh-CN', 'transfer.release', { amount: '¥1,234.50' }));
    expect(html).not.toContain('data-testid="transfer-credit"');
  });

  it('shows the old card its balance going out, in English too', () => {
    const outgoing = transfer({ fromCardId: CARD_ID, toCardId: OLD_CARD_ID, amount: '8.05' });
    const html = draw(card({ state: 'replaced', transfers: [outgoing] }), null, 'en');
    expect(html).toContain('Balance going to the replacement');
    expect(html).toContain('Release balance of ¥8.05');
  });

  it('offers to write what is owed onto the chip of an active card', () => {
    const waiting = draw(card({ transferCreditOwed: '25.00' }));
    expect(waiting).toContain('data-testid="transfer-credit"');
    expect(waiting).toContain(translate('zh-CN', 'transfer.owed', { amount: '¥25.00' }));
    // No card read yet: the clerk is told to put the card on the reader.
    expect(waiting).toContain(escaped(translate('zh-CN', 'transfer.readFirst')));
    expect(waiting).not.toContain('data-testid="pending-transfer"');

    const read = draw(card({ transferCreditOwed: '25.00' }), 'plan-1', 'en');
    expect(read).toContain('¥25.00 from the old card is not on this card yet.');
    expect(read).not.toContain(escaped(translate('en', 'transfer.readFirst')));
    expect(calls).toEqual([]);
  });

  it('shows amounts through formatMoney, never through a float', () => {
    // 9,007,199,254,740,993 fen is past what a double holds: as a number it reads …409.94.
    const amount = '90071992547409.93';
    expect(Number(amount).toFixed(2)).not.toBe(amount);
    const html = draw(card({ transfers: [transfer({ amount })], transferCreditOwed: '0.10' }));
    expect(formatMoney(amount)).toBe('¥90,071,992,547,409.93');
    expect(html).toContain(`<span class="money">${formatMoney(amount)}</span>`);
    expect(html).not.toContain('409.94');
    expect(html).toContain(translate('zh-CN', 'transfer.owed', { amount: '¥0.10' }));
    expect(html).not.toMatch(/¥0\.1(?!0)/);
  });
});
