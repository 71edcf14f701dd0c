import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@citycard/core/errors';
import { TERMINAL_STATUSES, type TerminalStatus } from '../terminals/index.js';
import { nextStatus, type TerminalAdminRow, type TerminalCommand } from './registry.repository.js';

const row = (status: TerminalStatus, enrolled: boolean): TerminalAdminRow => ({
  id: 't1',
  operator_id: 'op',
  status,
  description: null,
  mac_key_id: null,
  cert_serial: null,
  created_at: new Date(0),
  enrolled_at: enrolled ? new Date(0) : null,
  disabled_at: null,
  retired_at: null,
});

describe('terminal status machine', () => {
  it('never leaves retired and never reaches enrolled without an enrolment', () => {
    const commands = fc.array(fc.constantFrom<TerminalCommand>('disable', 'enable', 'retire'));
    fc.assert(
      fc.property(
        fc.constantFrom(...TERMINAL_STATUSES),
        fc.boolean(),
        commands,
        (start, enrolled, cmds) => {
          fc.pre(start !== 'enrolled' || enrolled);
          let status: TerminalStatus = start;
          for (const command of cmds) {
            const before = status;
            try {
              status = nextStatus(row(status, enrolled), command);
            } catch (err) {
              expect(isAppError(err) && err.code).toBe('TERMINAL_STATE_INVALID');
            }
            if (before === 'retired') expect(status).toBe('retired');
            if (!enrolled) expect(status).not.toBe('enrolled');
          }
        },
      ),
    );
  });
});
