import type { Command } from 'commander';
import { bootstrapAdmin, verifyAuditChain } from '@citycard/card-issuance';
import { withTransaction } from '@citycard/core/db';
import { issuancePool } from '../issuance.js';
import { positiveInt } from '../options.js';
import { openPlatform } from '../platform.js';
import { readSecret } from '../secret-prompt.js';

function readPassword(): Promise<string> {
  return readSecret('CITYCARD_ADMIN_PASSWORD', 'Password for the first admin: ');
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
