import { createHash, randomBytes } from 'node:crypto';
import { createCa, issueCertificate, type CaMaterial } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import {
  MAC_KEY_LENGTH,
  wrapMacKey,
  type EnrolmentRequest,
  type EnrolmentResponse,
  type FareSetEnvelope,
  type HotlistEntry,
  type HotlistResponse,
  type OperatorConfig,
} from '../protocol/index.js';
import type { TestLedger } from './test-ledger.js';

interface HotlistChange {
  version: number;
  action: 'add' | 'remove';
  entry: HotlistEntry;
}

/** What the test gateway hands out: hotlist deltas, fare sets, configuration, enrolments. */
export class TestDistribution {
  readonly #hotlist: HotlistChange[] = [];
  /** Deltas are served only from this version on; older terminals get the full list. */
  #deltaFloor = 0;
  fareSets: FareSetEnvelope[] = [];
  configs: OperatorConfig[] = [];
  readonly #tokens = new Map<string, { terminalId: string; operatorId: string }>();
  readonly #enrolled = new Map<string, { csrPem: string; response: EnrolmentResponse }>();
  #ca: CaMaterial | undefined;

  get hotlistVersion(): number {
    return this.#hotlist.at(-1)?.version ?? 0;
  }

  changeHotlist(action: 'add' | 'remove', entry: HotlistEntry): number {
    const version = this.hotlistVersion + 1;
    this.#hotlist.push({ version, action, entry });
    return version;
  }

  /** Forgets the deltas so far, as a gateway that keeps them only for a while would. */
  compactHotlist(): void {
    this.#deltaFloor = this.hotlistVersion;
  }

  hotlistSince(since: number): HotlistResponse {
    const version = this.hotlistVersion;
    if (since < this.#deltaFloor || since > version) {
      const current = new Map<string, HotlistEntry>();
      for (const c of this.#hotlist) {
        if (c.action === 'add') current.set(c.entry.uid, c.entry);
        else current.delete(c.entry.uid);
      }
      return { v: 1, kind: 'full', version, entries: [...current.values()] };
    }
    // The last change per card in the window decides whether it is added or removed.
    const last = new Map<string, HotlistChange>();
    for (const c of this.#hotlist) if (c.version > since) last.set(c.entry.uid, c);
    const finals = [...last.values()];
    const add = finals.filter((c) => c.action === 'add').map((c) => c.entry);
    const remove = finals.filter((c) => c.action === 'remove').map((c) => c.entry);
    return { v: 1, kind: 'delta', since, version, add, remove };
  }

  static etagOf(value: unknown): string {
    return `"${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32)}"`;
  }

  issueToken(terminalId: string, operatorId: string): string {
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, { terminalId, operatorId });
    return token;
  }

  get caCertificatePem(): string | undefined {
    return this.#ca?.certPem;
  }

  enrol(request: EnrolmentRequest, ledger: TestLedger, now: Date): EnrolmentResponse {
    const earlier = this.#enrolled.get(request.token);
    // The same CSR again is a lost answer being retried; anything else is a reused token.
    if (earlier?.csrPem === request.csrPem) return earlier.response;
    const grant = this.#tokens.get(request.token);
    if (!grant || earlier) throw new AppError('ENROLMENT_TOKEN_INVALID');
    this.#ca ??= createCa({ commonName: 'citycard test CA', validityDays: 30 });
    const issued = issueCertificate({
      caCertPem: this.#ca.certPem,
      caKeyPem: this.#ca.keyPem,
      csrPem: request.csrPem,
      role: 'terminal',
      subjectId: grant.terminalId,
      validityDays: 30,
    });
    const macKey = randomBytes(MAC_KEY_LENGTH);
    ledger.terminals.set(grant.terminalId, { ...grant, macKeyId: 'k1', macKey });
    const response: EnrolmentResponse = {
      v: 1,
      ...grant,
      certificatePem: issued.certPem,
      caCertificatePem: this.#ca.certPem,
      macKeyId: 'k1',
      macKeyWrapped: wrapMacKey(issued.certPem, macKey),
      gatewayTime: now.toISOString(),
    };
    this.#enrolled.set(request.token, { csrPem: request.csrPem, response });
    this.#tokens.delete(request.token);
    return response;
  }
}
