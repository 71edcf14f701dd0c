import { isConnectionError } from '@citycard/core/db';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { DEFAULT_ISSUANCE_SCHEMA, type GatewayDeps } from '../deps.js';
import { OUTBOX_TOPICS } from '../postprocess/index.js';
import {
  assertStillCurrent,
  sealedKeyOf,
  terminalCacheOf,
  type TerminalPrincipal,
} from '../terminals/index.js';
import {
  counterCandidates,
  reasonsFrom,
  type Facts,
  type VerifyContext,
} from '../verification/index.js';
import { businessDay } from './business-day.js';
import { advanceKnown, type Advanced } from './contiguity.js';
import { GroupCommit, type Waiting } from './group-commit.js';
import { dbError, ingestInTurn, queueOf, sourcesOf, verifyContext } from './ingest.service.js';
import { recordHashOf } from './record-hash.js';
import {
  readGroup,
  writeGroup,
  type GroupFacts,
  type GroupItemFacts,
  type GroupWrite,
} from './single-group.repository.js';
import { planUpload, type IngestResult, type Upload } from './upload-plan.js';

/** A record posted alone, checked (owner, MAC) and hashed, waiting for its group. */
interface Single {
  readonly terminal: TerminalPrincipal;
  readonly record: TransactionRecord;
  readonly macInput: Buffer;
  readonly hash: string;
}

type Pending = Waiting<Single, IngestResult>;

interface Decided {
  readonly pending: Pending;
  readonly write: GroupWrite;
  readonly result: IngestResult;
}

const uploadOf = (s: Single): Upload => ({
  records: [s.record],
  macInputs: [s.macInput],
  skipped: [],
  first: s.record.sequence,
  last: s.record.sequence,
});

/** The record on its own, as if it had never been grouped (it still holds its terminal's turn). */
function alone(deps: GatewayDeps, p: Pending): void {
  const s = p.item;
  ingestInTurn(deps, s.terminal, uploadOf(s), [s.hash]).then(p.resolve, p.reject);
}

/**
 * A group that failed as a whole wrote nothing: each record goes on its own, and answers what it
 * would have answered had it come alone. A lost connection may have lost the commit's answer
 * instead: those are answered as an upload alone would be, and the terminals send them again.
 */
function settleAlone(deps: GatewayDeps, group: readonly Pending[], err: unknown): void {
  if (isConnectionError(err)) {
    for (const p of group) p.reject(dbError(err));
    return;
  }
  for (const p of group) alone(deps, p);
}

const counterKey = (r: TransactionRecord): string => `${r.cardNumber}:${r.purseCounter}`;

interface GroupContext {
  readonly facts: GroupFacts;
  readonly verify: VerifyContext;
  readonly fareSets: Facts['fareSets'];
  /** Counters held by counted records: those stored, then those accepted earlier in the group. */
  readonly taken: Map<string, string>;
  readonly receivedAt: Date;
}

/** One record's outcome and write, from the group read and the records decided before it. */
function decideOne(
  g: GroupContext,
  s: Single,
  item: GroupItemFacts,
  position: Advanced,
): Omit<Decided, 'pending'> {
  const { terminal, record, hash } = s;
  const counted = record.type !== 'card_blocked';
  const holder = counted ? g.taken.get(counterKey(record)) : undefined;
  const replays = new Set(holder !== undefined && holder !== hash ? [record.sequence] : []);
  const hotlist = g.verify.hotlist.history([record.uid], [record.cardNumber]);
  const facts = { cards: g.facts.cards, hotlist, replays, fareSets: g.fareSets };
  const [reason] = reasonsFrom([record], facts, g.verify);
  const { write, result } = planUpload({
    terminalId: terminal.id,
    upload: uploadOf(s),
    rows: [{ record, hash, status: reason ? 'quarantined' : 'accepted', reason: reason ?? null }],
    state: item.state,
    existing: new Map(item.existing === undefined ? [] : [[record.sequence, item.existing]]),
    position,
    outboxTopic: OUTBOX_TOPICS.recordStored,
    receivedAt: g.receivedAt,
  });
  const insert = write.inserts[0];
  if (insert !== undefined && reason === undefined && counted) {
    g.taken.set(counterKey(record), hash);
  }
  return {
    result,
    write: {
      terminalId: terminal.id,
      operatorId: terminal.operatorId,
      expectedVersion: write.expectedVersion,
      highestContiguous: write.highestContiguous,
      highestSeen: write.highestSeen,
      insert,
      conflict: write.conflicts[0],
      gap: write.gap,
      outbox: write.outbox,
    },
  };
}

/**
 * Each record's outcome, in the order they arrived, as if each had been written before the next
 * was read: a counter accepted earlier in the group is taken for the records after it. Records
 * of a terminal disabled or re-keyed since it was kept are refused; a record that fills an
 * earlier gap needs a read of what lies beyond it, and goes on its own (`later`), as does one
 * that cannot be decided here (it then answers what it would have answered alone).
 */
async function decide(
  deps: GatewayDeps,
  group: readonly Pending[],
  facts: GroupFacts,
  receivedAt: Date,
): Promise<{ decided: Decided[]; later: Pending[] }> {
  if (facts.items.length !== group.length) throw new Error('the group read has a row per record');
  const verify = verifyContext(deps, receivedAt, undefined);
  const versions = new Set<string>();
  for (const { item } of group) {
    if (item.record.fare !== undefined) versions.add(item.record.fare.fareSetVersion);
  }
  const g: GroupContext = {
    facts,
    verify,
    fareSets: versions.size === 0 ? new Map() : await verify.fareSets([...versions]),
    taken: new Map(facts.taken.map((t) => [`${t.card_number}:${t.purse_counter}`, t.record_hash])),
    receivedAt,
  };
  const cache = terminalCacheOf(deps);
  const decided: Decided[] = [];
  const later: Pending[] = [];
  group.forEach((p, i) => {
    const item = facts.items[i] as GroupItemFacts;
    const { terminal, record } = p.item;
    const sealedKey = sealedKeyOf(terminal);
    try {
      if (sealedKey !== undefined) {
        assertStillCurrent(cache, { id: terminal.id, sealedKey }, item.terminal);
      }
    } catch (err) {
      p.reject(err);
      return;
    }
    const position = advanceKnown(item.state, { first: record.sequence, last: record.sequence });
    if (position === undefined) {
      later.push(p);
      return;
    }
    try {
      decided.push({ pending: p, ...decideOne(g, p.item, item, position) });
    } catch {
      later.push(p);
    }
  });
  return { decided, later };
}

/**
 * One group: one read, each record decided, one write (one commit), then each record answered.
 * A record whose terminal moved on meanwhile (another process wrote it) goes round on its own.
 */
async function flush(deps: GatewayDeps, group: Pending[]): Promise<void> {
  const sources = sourcesOf(deps);
  let decided: Decided[];
  let later: Pending[];
  let receivedAt: Date;
  try {
    const records = group.map((p) => p.item.record);
    const facts = await readGroup(deps.db, {
      issuanceSchema: deps.issuanceSchema ?? DEFAULT_ISSUANCE_SCHEMA,
      hotlist: sources.hotlist,
      records,
      counters: counterCandidates(
        records,
        group.map((p) => p.item.hash),
      ),
    });
    receivedAt = deps.clock();
    ({ decided, later } = await decide(deps, group, facts, receivedAt));
  } catch (err) {
    settleAlone(deps, group, err);
    return;
  }
  if (decided.length > 0) {
    const { businessDayTimeZone, businessDayCutoff } = deps.settings;
    let moved: Set<string>;
    try {
      moved = await writeGroup(
        deps.db,
        {
          receivedAt,
          businessDay: businessDay(receivedAt, businessDayTimeZone, businessDayCutoff),
        },
        decided.map((d) => d.write),
      );
    } catch (err) {
      settleAlone(
        deps,
        decided.map((d) => d.pending),
        err,
      );
      for (const p of later) alone(deps, p);
      return;
    }
    for (const d of decided) {
      if (moved.has(d.write.terminalId)) d.pending.resolve(d.result);
      else alone(deps, d.pending);
    }
  }
  for (const p of later) alone(deps, p);
}

const groups = new WeakMap<GatewayDeps, GroupCommit<Single, IngestResult>>();

function groupOf(deps: GatewayDeps): GroupCommit<Single, IngestResult> {
  let group = groups.get(deps);
  if (group === undefined) {
    group = new GroupCommit((pending) => flush(deps, pending));
    groups.set(deps, group);
  }
  return group;
}

/**
 * Stores a record posted alone and answers once it is committed, as `ingest` does. Records
 * arriving from different terminals while a group is being written are checked and written
 * together as the next group: one read and one statement (one commit) for all of them. Each
 * terminal's records still take turns, so a group holds at most one record per terminal.
 */
export function ingestSingle(
  deps: GatewayDeps,
  terminal: TerminalPrincipal,
  record: TransactionRecord,
  macInput: Buffer,
): Promise<IngestResult> {
  const hash = recordHashOf(macInput);
  return queueOf(deps).run(terminal.id, () =>
    groupOf(deps).submit({ terminal, record, macInput, hash }),
  );
}
