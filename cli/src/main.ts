import { Command, CommanderError } from 'commander';
import { formatConfigProblems } from '@citycard/core/config';
import { AppError } from '@citycard/core/errors';
import { registerClearing } from './commands/clearing.js';
import { registerDb } from './commands/db.js';
import { registerDemo } from './commands/demo.js';
import { registerIssuanceAdmin } from './commands/issuance-admin.js';
import { registerKeys } from './commands/keys.js';
import { registerPki } from './commands/pki.js';
import { registerReaderAgent } from './commands/reader-agent.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerWorker } from './commands/worker.js';
import { exitCodeFor, exitCodes } from './exit-codes.js';

const program = new Command('citycard')
  .description(
    'citycard: citizen-card issuance, terminals, transaction gateway, clearing and settlement',
  )
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerDb(program);
registerServe(program);
registerWorker(program);
registerPki(program);
registerReaderAgent(program);
registerIssuanceAdmin(program);
registerKeys(program);
registerDemo(program);
registerSimulate(program);
registerClearing(program);

program.addHelpText(
  'after',
  `
Environment:
  DATABASE_URL      PostgreSQL to use; unset: an embedded PostgreSQL in CITYCARD_DATA_DIR/postgres
  REDIS_URL         Redis for the queues; unset: BullMQ's PostgreSQL backend
  CITYCARD_DATA_DIR local state (default .citycard)
  CITYCARD_MODE     production (default) | development | demo; only the last two generate secrets
  CITYCARD_KEK      32-byte key-encryption key (64 hex characters) for secrets at rest
  CITYCARD_CLEARING_CLOCK_OFFSET_S, CITYCARD_GATEWAY_CLOCK_OFFSET_S
                    seconds added to clearing's or the gateway's clock (tests that play a
                    day and clear it before its cut-off); refused in production mode
  GATEWAY_TLS_PORT  the gateway's mutual-TLS listener for terminals (unset: none);
                    GATEWAY_TLS_HOSTNAMES names its certificate, GATEWAY_REQUIRE_CLIENT_CERT=true
                    refuses terminal routes on the plain listener
  ISSUANCE_TRUST_PROXY  addresses of proxies (the console) whose X-Forwarded-For issuance believes

Exit codes: 0 ok, 1 failure, 64 usage, 65 bad data (e.g. an edited migration),
            69 a dependency is unavailable, 70 internal error, 78 bad configuration`,
);

function fail(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  }
  if (err instanceof AppError) {
    if (err.code === 'CONFIG_INVALID') process.stderr.write(formatConfigProblems('citycard', err));
    else process.stderr.write(`citycard: ${err.code}: ${err.message}\n`);
    return exitCodeFor(err.code);
  }
  const fsError = err as NodeJS.ErrnoException;
  if (fsError.code === 'ENOENT' || fsError.code === 'EACCES' || fsError.code === 'EEXIST') {
    const what = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EEXIST: 'file already exists',
    }[fsError.code];
    process.stderr.write(`citycard: ${fsError.path ?? 'file'}: ${what}\n`);
    return fsError.code === 'EEXIST' ? exitCodes.cantCreate : exitCodes.noInput;
  }
  if (err instanceof Error && err.name === 'ZodError') {
    process.stderr.write(`citycard: invalid argument: ${err.message}\n`);
    return exitCodes.usage;
  }
  process.stderr.write(
    `citycard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return exitCodes.software;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = fail(err);
}
