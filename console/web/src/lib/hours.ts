import type { RunHour } from '../api/types';
import { toFen } from './money';

export interface OperatorHour {
  readonly count: number;
  readonly fen: bigint;
}

export interface HourRow {
  /** 0–23, the city's local hour. */
  readonly hour: number;
  readonly byOperator: ReadonlyMap<string, OperatorHour>;
  readonly count: number;
  readonly fen: bigint;
}

export interface HourTable {
  /** Sorted, each once. */
  readonly operators: readonly string[];
  /** Every hour from the first to the last with transactions, quiet hours included. */
  readonly rows: readonly HourRow[];
  readonly count: number;
  readonly fen: bigint;
}

/** A run's hourly figures by local hour and operator; gross is summed in fen, never as a float. */
export function hourTable(hours: readonly RunHour[]): HourTable {
  const cells = new Map<number, Map<string, OperatorHour>>();
  const operators = new Set<string>();
  for (const h of hours) {
    operators.add(h.operatorId);
    const row = cells.get(h.localHour) ?? new Map<string, OperatorHour>();
    const before = row.get(h.operatorId) ?? { count: 0, fen: 0n };
    row.set(h.operatorId, { count: before.count + h.count, fen: before.fen + toFen(h.gross) });
    cells.set(h.localHour, row);
  }
  const present = [...cells.keys()];
  const rows: HourRow[] = [];
  if (present.length > 0) {
    const first = Math.min(...present);
    const last = Math.max(...present);
    for (let hour = first; hour <= last; hour++) {
      const byOperator = cells.get(hour) ?? new Map<string, OperatorHour>();
      let count = 0;
      let fen = 0n;
      for (const cell of byOperator.values()) {
        count += cell.count;
        fen += cell.fen;
      }
      rows.push({ hour, byOperator, count, fen });
    }
  }
  return {
    operators: [...operators].sort(),
    rows,
    count: rows.reduce((n, r) => n + r.count, 0),
    fen: rows.reduce((n, r) => n + r.fen, 0n),
  };
}

export function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}
