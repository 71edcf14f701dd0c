import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffPrincipal } from '../auth/roles.js';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import { cashKinds, type CashKind } from './cash.js';
import { recordCashMovement } from './drawer.js';
import { closeOwnDrawer, openDrawer } from './drawer.service.js';
import { makeBranch, principalOf } from './test-support.js';

let t: IssuanceTestApp;
let clerk: StaffPrincipal;
let counterId: string;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  const place = await makeBranch(t, (await t.signIn('admin')).headers, 1);
  counterId = place.counterIds[0] as string;
  clerk = principalOf(
    await t.signIn('clerk', { branchId: place.branchId }),
    'clerk',
    place.branchId,
  );
});
afterAll(async () => {
  await t?.close();
});

const IN: readonly CashKind[] = ['deposit_taken', 'top_up_cash'];
const OUT: readonly CashKind[] = ['deposit_refunded', 'balance_refunded'];

/** What the drawer must answer to one movement, reckoned in BigInt fen alone. */
function oracle(running: bigint, kind: CashKind, fen: bigint): string | undefined {
  const signOk =
    fen !== 0n && (IN.includes(kind) ? fen > 0n : OUT.includes(kind) ? fen < 0n : true);
  if (!signOk) return 'CASH_MOVEMENT_INVALID';
  if (fen < 0n && running + fen < 0n) return 'DRAWER_CASH_INSUFFICIENT';
  return undefined;
}

const actor = () => ({ staff: clerk, requestId: `prop-${randomUUID()}` });

const close = (countedCash: Amount) =>
  withTransaction(t.deps.db, (tx) => closeOwnDrawer(tx, actor(), { countedCash }));

async function attempt(drawerId: string, kind: CashKind, fen: bigint): Promise<string | undefined> {
  try {
    await withTransaction(t.deps.db, (tx) =>
      recordCashMovement(tx, {
        drawerId,
        kind,
        amount: Amount.fromFen(fen),
        reference: { type: 'test', id: randomUUID() },
        ...actor(),
      }),
    );
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

const LIMIT = 10n ** 8n;
const movement = fc.tuple(
  fc.constantFrom(...cashKinds),
  fc.oneof(fc.bigInt({ min: -LIMIT, max: LIMIT }), fc.constantFrom(0n, 1n, -1n)),
);

describe('a drawer in the database, against a BigInt oracle', () => {
  it('expects float + Σ accepted movements and closes with counted − expected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: LIMIT }),
        fc.array(movement, { maxLength: 12 }),
        fc.bigInt({ min: 0n, max: 2n * LIMIT }),
        async (floatFen, movements, countedFen) => {
          const drawer = await withTransaction(t.deps.db, (tx) =>
            openDrawer(tx, actor(), { counterId, openingFloat: Amount.fromFen(floatFen) }),
          );
          let running = floatFen;
          try {
            for (const [kind, fen] of movements) {
              const expected = oracle(running, kind, fen);
              expect(await attempt(drawer.id, kind, fen)).toBe(expected);
              if (expected === undefined) running += fen;
            }
          } catch (err) {
            // Leave no drawer open behind a failed run, so shrinking starts from a clean clerk.
            await close(Amount.zero);
            throw err;
          }
          const { outcome } = await close(Amount.fromFen(countedFen));
          expect(outcome.expected.toFen()).toBe(running);
          expect(outcome.difference.toFen()).toBe(countedFen - running);
          const { rows } = await t.deps.db.query<{ expected: string; difference: string }>(
            `SELECT expected_cash AS expected, difference FROM issuance.drawers WHERE id = $1`,
            [drawer.id],
          );
          expect(rows[0]).toEqual({
            expected: Amount.fromFen(running).toString(),
            difference: Amount.fromFen(countedFen - running).toString(),
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});
