import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@citycard/core/errors';
import { parseAmount } from '@citycard/core/money';
import { getRun } from '../run/index.js';
import type { RunStatus } from '../run/run.types.js';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import { fakeBankConfirm } from './fake-bank.js';
import { abortRun, approveRun, confirmRun, instructRun, paymentFileContent } from './index.js';
import { addPayees, afterCutoff, clearDayWith } from './test-fixtures.js';

/**
 * Random command sequences against the real tables: the run's status follows the transition
 * table below (written out independently of the implementation), every other command is refused
 * and changes nothing, and a run is never aborted once the bank has been instructed.
 */
type Command =
  | { kind: 'approve'; by: 'alice' | 'bob' }
  | { kind: 'instruct' }
  | { kind: 'confirm'; clean: boolean }
  | { kind: 'abort' };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constantFrom('alice' as const, 'bob' as const).map((by) => ({ kind: 'approve' as const, by })),
  fc.constant({ kind: 'instruct' as const }),
  fc.boolean().map((clean) => ({ kind: 'confirm' as const, clean })),
  fc.constant({ kind: 'abort' as const }),
);

/** The expected status after `cmd`, or undefined when it must be refused. 'alice' ran the day. */
function expected(status: RunStatus, cmd: Command): RunStatus | undefined {
  switch (cmd.kind) {
    case 'approve':
      return status === 'computed' && cmd.by !== 'alice' ? 'approved' : undefined;
    case 'instruct':
      return status === 'approved' ? 'instructed' : undefined;
    case 'confirm':
      return status === 'instructed' ? (cmd.clean ? 'settled' : 'instructed') : undefined;
    case 'abort':
      return status === 'computed' || status === 'approved' ? 'aborted' : undefined;
  }
}

let t: ClearingTestDb;
let dayIndex = 0;
let extra = 0;

beforeAll(async () => {
  t = await createClearingTestDb();
  await addPayees(t.pool, ['metro']);
});
afterAll(async () => {
  await t?.close();
});

async function confirmation(runId: string, clean: boolean): Promise<string> {
  const file = await paymentFileContent(t.pool, { runId });
  if (file === null) return 'H,x,y,2001-01-01,0,0.00\r\nT,0,0.00\r\n';
  extra += 1;
  const lines = clean
    ? []
    : [
        {
          reference: `EXTRA-${extra}`,
          amount: parseAmount('1.00'),
          status: 'PAID' as const,
          bankReference: 'B',
        },
      ];
  return fakeBankConfirm(file.content, { extraLines: lines });
}

async function apply(runId: string, cmd: Command, now: Date): Promise<void> {
  const ref = { runId };
  switch (cmd.kind) {
    case 'approve':
      await approveRun(t.pool, { ref, actor: cmd.by, now });
      return;
    case 'instruct':
      await instructRun(t.pool, { ref, actor: 'bob', now });
      return;
    case 'confirm':
      await confirmRun(t.pool, {
        ref,
        actor: 'bob',
        now,
        confirmation: await confirmation(runId, cmd.clean),
      });
      return;
    case 'abort':
      await abortRun(t.pool, { ref, actor: 'bob', now, reason: 'property test' });
      return;
  }
}

describe('settlement state machine', () => {
  it('takes only legal transitions, and aborts only before instruction', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
        dayIndex += 1;
        const day = new Date(Date.UTC(2002, 0, dayIndex)).toISOString().slice(0, 10);
        const run = await clearDayWith(t.pool, day, { metro: ['2.50'] }, 'alice');
        let status: RunStatus = 'computed';
        let instructed = false;
        for (const cmd of commands) {
          const want = expected(status, cmd);
          let refused: string | undefined;
          try {
            await apply(run.id, cmd, afterCutoff(day));
          } catch (err) {
            if (!isAppError(err)) throw err;
            refused = err.code;
          }
          const now = (await getRun(t.pool, run.id)).status;
          // A clean confirmation sent again after settling is answered as a repeat, not an error.
          const repeat = cmd.kind === 'confirm' && cmd.clean && status === 'settled';
          if (want === undefined && !repeat) {
            expect(refused, `${status} ${JSON.stringify(cmd)}`).toMatch(/^SETTLEMENT_|^CLEARING_/);
            expect(now).toBe(status);
          } else {
            expect(refused).toBeUndefined();
            expect(now).toBe(want ?? status);
          }
          if (now === 'instructed') instructed = true;
          if (instructed) expect(now).not.toBe('aborted');
          status = now;
        }
      }),
      { numRuns: 40 },
    );
  });
});
