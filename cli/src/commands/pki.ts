import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { keyMaterial, loadConfig, runtimeEnv } from '@citycard/core/config';
import { createKeyAndCsr, FilePkiStore, parseKek } from '@citycard/core/crypto';
import { positiveInt } from '../options.js';
import { loadSecrets, type BaseConfig } from '../platform.js';

const roles = ['terminal', 'reader-agent', 'service'] as const;

export async function openPkiStore(): Promise<FilePkiStore> {
  const config: BaseConfig = loadConfig(z.object(runtimeEnv));
  const { secrets, generated } = await loadSecrets(
    config,
    z.object({ CITYCARD_KEK: keyMaterial }),
    ['CITYCARD_KEK'],
  );
  for (const g of generated)
    console.error(
      `${config.CITYCARD_MODE} mode: generated ${g.variable} into ${g.file} (never do this in production)`,
    );
  return new FilePkiStore(path.resolve(config.CITYCARD_DATA_DIR, 'pki'), {
    id: 'kek-1',
    key: parseKek(secrets.CITYCARD_KEK),
  });
}

export function registerPki(program: Command): void {
  const pki = program
    .command('pki')
    .description('the platform CA for terminals, reader agents and services');

  pki
    .command('init')
    .description('create the platform CA (its key is stored sealed under CITYCARD_KEK)')
    .option('--common-name <cn>', 'CA common name', 'citycard platform CA')
    .option('--days <n>', 'validity in days', positiveInt, 3650)
    .action(async (opts: { commonName: string; days: number }) => {
      const store = await openPkiStore();
      await store.init({
        commonName: opts.commonName,
        validityDays: opts.days,
      });
      console.log(`Created the platform CA in ${store.dir}`);
    });

  pki
    .command('issue')
    .description('issue a client certificate from a CSR (PEM)')
    .requiredOption('--csr <file>', 'the certificate signing request')
    .addOption(
      new Option('--role <role>', 'what the certificate is for')
        .choices(roles)
        .makeOptionMandatory(),
    )
    .requiredOption('--subject <id>', 'the terminal, agent or service id the certificate names')
    .option('--days <n>', 'validity in days', positiveInt, 365)
    .option('--out <file>', 'write the certificate here instead of stdout')
    .action(
      async (opts: { csr: string; role: string; subject: string; days: number; out?: string }) => {
        const role = opts.role as (typeof roles)[number];
        const store = await openPkiStore();
        const csrPem = await readFile(opts.csr, 'utf8');
        const issued = await store.issue({
          csrPem,
          role,
          subjectId: opts.subject,
          validityDays: opts.days,
        });
        if (opts.out === undefined) process.stdout.write(issued.certPem);
        else await writeFile(opts.out, issued.certPem);
        console.error(
          `Issued serial ${issued.serial} to ${role} ${opts.subject}, valid until ${issued.notAfter.toISOString()}`,
        );
      },
    );

  pki
    .command('request')
    .description(
      'make a private key and a certificate signing request (for a terminal, an agent or a service)',
    )
    .requiredOption('--subject <id>', 'the id the certificate will name')
    .requiredOption('--key-out <file>', 'where to write the private key (mode 0600)')
    .requiredOption('--csr-out <file>', 'where to write the CSR')
    .action(async (opts: { subject: string; keyOut: string; csrOut: string }) => {
      const { keyPem, csrPem } = createKeyAndCsr({ commonName: opts.subject });
      await writeFile(opts.keyOut, keyPem, { mode: 0o600, flag: 'wx' });
      await writeFile(opts.csrOut, csrPem);
      console.log(`Wrote ${opts.keyOut} and ${opts.csrOut}`);
    });

  pki
    .command('revoke')
    .description('revoke a certificate by serial number')
    .requiredOption('--serial <hex>', 'serial number')
    .option('--reason <text>', 'why', 'unspecified')
    .action(async (opts: { serial: string; reason: string }) => {
      const store = await openPkiStore();
      await store.revoke(opts.serial, opts.reason);
      console.log(`Revoked ${opts.serial}`);
    });

  pki
    .command('list')
    .description('list issued certificates and their status')
    .action(async () => {
      const store = await openPkiStore();
      for (const cert of await store.list()) console.log(JSON.stringify(cert));
    });
}
