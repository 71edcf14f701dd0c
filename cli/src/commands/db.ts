import type { Command } from 'commander';
import { migrate, migrationStatus } from '@citycard/core/db';
import { migrationSources, openPlatform } from '../platform.js';
import { progressBar } from '../progress.js';

export function registerDb(program: Command): void {
  const db = program.command('db').description('database schema: migrate and inspect');

  db.command('migrate')
    .description('apply pending migrations of every service (idempotent, under an advisory lock)')
    .action(async () => {
      const platform = await openPlatform('cli');
      try {
        const pending = (await migrationStatus(platform.pool, migrationSources)).filter(
          (r) => r.state === 'pending',
        );
        const bar = progressBar('migrating', pending.length);
        const result = await migrate(platform.pool, migrationSources, {
          onFile: (file) => bar.tick(`${file.schema}/${file.name}`),
        });
        bar.stop();
        const where = platform.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL';
        console.log(
          result.applied.length === 0
            ? `Nothing to migrate: ${result.skipped} migration(s) already applied (${where}).`
            : `Applied ${result.applied.length} migration(s), ${result.skipped} already applied (${where}).`,
        );
      } finally {
        await platform.close();
      }
    });

  db.command('status')
    .description('list every migration file and whether it is applied, pending, edited or missing')
    .action(async () => {
      const platform = await openPlatform('cli');
      try {
        const rows = await migrationStatus(platform.pool, migrationSources);
        for (const row of rows) {
          const when = row.appliedAt === undefined ? '' : `  ${row.appliedAt.toISOString()}`;
          console.log(
            `${row.state.padEnd(8)} ${row.schema}/${String(row.version).padStart(4, '0')}_${row.name}${when}`,
          );
        }
        const bad = rows.filter((r) => r.state === 'edited' || r.state === 'missing');
        if (bad.length > 0) process.exitCode = 65;
      } finally {
        await platform.close();
      }
    });
}
