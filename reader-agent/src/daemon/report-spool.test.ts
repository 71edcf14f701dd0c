import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanReport } from '@citycard/core/card';
import { AppError, type ErrorCode } from '@citycard/core/errors';
import { ReportSpool } from './report-spool.js';
import { captureLog } from './test-support.js';

const report = (): PlanReport => ({
  planId: randomUUID(),
  uid: 'A1B2C3D4',
  outcome: 'completed',
  completedSteps: 0,
  steps: [],
  startedAt: new Date().toISOString(),
  finishedAt: new Date().toISOString(),
});

describe('report spool', () => {
  let dir: string;
  let file: string;
  let refuse: ErrorCode | undefined;
  let spool: ReportSpool;
  const sent: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spool-'));
    file = join(dir, 'reports.json');
    refuse = undefined;
    sent.length = 0;
    spool = new ReportSpool({
      file,
      log: captureLog().log,
      retryMinMs: 60_000,
      send: (r) => {
        if (refuse !== undefined) return Promise.reject(new AppError(refuse));
        sent.push(r.planId);
        return Promise.resolve({ planId: r.planId, status: 'accepted' });
      },
    });
  });
  afterEach(async () => {
    await spool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the spool owner-only and empties it once issuance answers', async () => {
    const r = report();
    await expect(spool.deliver(r)).resolves.toEqual({ planId: r.planId, status: 'accepted' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps a report when issuance refuses the agent (an admin can fix that)', async () => {
    refuse = 'CERT_REVOKED';
    const r = report();
    await expect(spool.deliver(r)).rejects.toMatchObject({
      code: 'AGENT_REPORT_PENDING',
      details: { planId: r.planId, reason: 'CERT_REVOKED' },
    });
    expect(spool.list()).toEqual([r]);
    refuse = undefined;
    await spool.flush();
    expect(sent).toEqual([r.planId]);
    expect(spool.list()).toEqual([]);
  });

  it('drops a report issuance refused for what it says, and passes the refusal on', async () => {
    refuse = 'VALIDATION_FAILED';
    await expect(spool.deliver(report())).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(spool.list()).toEqual([]);
  });

  it('refuses to start over a spool it cannot read rather than lose it', async () => {
    await writeFile(file, '[{"planId":1}]');
    await expect(spool.load()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await readFile(file, 'utf8')).toBe('[{"planId":1}]');
    await writeFile(file, '[{"planId"');
    await expect(spool.load()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
