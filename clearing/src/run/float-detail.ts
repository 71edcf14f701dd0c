import { parseAmount } from '@citycard/core/money';
import type { FloatCheckDetail, FloatTally } from './run.types.js';

interface StoredTally {
  readonly count: number;
  readonly amount: string;
}

/** FloatCheckDetail as runs.float_detail holds it: amounts as strings, the cut an ISO instant. */
export interface StoredFloatDetail {
  readonly source: 'entries';
  readonly cut: string;
  readonly inCut: { readonly terminal: string; readonly loads: string; readonly other: string };
  readonly clearedGross: string;
  readonly clearedNotShadowPosted: string;
  readonly unexplained: string;
  readonly outsideCut: {
    readonly terminalNotCleared: StoredTally;
    readonly loadsNotCleared: StoredTally;
    readonly afterCut: StoredTally;
    readonly corrections: StoredTally;
  };
}

const money = (v: string): ReturnType<typeof parseAmount> =>
  parseAmount(v, { allowNegative: true });
const tally = (t: StoredTally): FloatTally => ({ count: t.count, amount: money(t.amount) });

export function floatDetailOf(j: StoredFloatDetail): FloatCheckDetail {
  const o = j.outsideCut;
  return {
    source: j.source,
    cut: new Date(j.cut),
    inCut: {
      terminal: money(j.inCut.terminal),
      loads: money(j.inCut.loads),
      other: money(j.inCut.other),
    },
    clearedGross: money(j.clearedGross),
    clearedNotShadowPosted: money(j.clearedNotShadowPosted),
    unexplained: money(j.unexplained),
    outsideCut: {
      terminalNotCleared: tally(o.terminalNotCleared),
      loadsNotCleared: tally(o.loadsNotCleared),
      afterCut: tally(o.afterCut),
      corrections: tally(o.corrections),
    },
  };
}
