import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { bootstrapAdmin, verifyAuditChain } from '@citycard/card-issuance';
import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { issuancePool } from '../issuance.js';
import { positiveInt } from '../options.js';
import { openPlatform } from '../platform.js';

async function readPassword(): Promise<string> {
  const fromEnv = process.env.CITYCARD_ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'Set CITYCARD_ADMIN_PASSWORD or run on a terminal to type the password',
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await rl.question('Password for the first admin: ');
  } finally {
    rl.close();
  }
}

export function registerIssuanceAdmin(program: Command): void {
  program
    .command('staff')
    .description('staff accounts of the issuance service')
    .command('bootstrap-admin')
    .description('create the first admin account; does nothing while an enabled admin exists')
    .requiredOption('--username <name>', 'the admin username')
    .action(async (opts: { username: string }) => {
      const password = await readPassword();
      const platform = await openPlatform('cli');
      const db = issuancePool(platform);
      try {
        const result = await withTransaction(db, (tx) =>
          bootstrapAdmin(tx, { username: opts.username, password }),
        );
        console.log(
          result.created
            ? `Created admin ${opts.username} (${result.id}).`
            : 'An enabled admin already exists: nothing created.',
        );
      } finally {
        await db.end();
        await platform.close();
      }
    });

  program
    .command('audit')
    .description('the issuance audit log')
    .command('verify')
    .description(
      'recheck the hash chain of the audit log; exits 65 when a row was changed or removed',
    )
    .option('--from-seq <n>', 'start at this sequence number', positiveInt, 1)
    .action(async (opts: { fromSeq: number }) => {
      const platform = await openPlatform('cli');
      const db = issuancePool(platform);
      try {
        const verdict = await verifyAuditChain(db, { fromSeq: opts.fromSeq });
        if (verdict.ok) {
          console.log(`Audit chain intact: ${verdict.checked} row(s) checked.`);
        } else {
          console.log(
            `Audit chain BROKEN at seq ${verdict.firstBrokenSeq ?? '?'} (${verdict.reason ?? 'unknown'}) after ${verdict.checked} good row(s).`,
          );
          process.exitCode = 65;
        }
      } finally {
        await db.end();
        await platform.close();
      }
    });
}
