import { useId } from 'react';
import { perMille } from '../lib/money';

export interface Bar {
  readonly label: string;
  /** In the smallest unit (fen, or a count), so lengths are exact ratios of integers. */
  readonly value: bigint;
  /** As the value is shown beside the bar (¥1,234.00, 56). */
  readonly display: string;
}

const WIDTH = 560;
const LABEL = 140;
const VALUE = 110;
const ROW = 26;

/** A horizontal bar chart in plain SVG; the same figures are in the table beside it. */
export function BarChart({
  title,
  bars,
}: {
  readonly title: string;
  readonly bars: readonly Bar[];
}) {
  const id = useId();
  const max = bars.reduce((m, b) => (b.value > m ? b.value : m), 0n);
  const span = WIDTH - LABEL - VALUE;
  const height = Math.max(1, bars.length) * ROW + 8;
  return (
    <figure className="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={id}
        preserveAspectRatio="xMinYMin meet"
      >
        {bars.map((bar, i) => {
          const y = i * ROW + 4;
          const length = (perMille(bar.value, max) * span) / 1000;
          return (
            <g key={bar.label}>
              <text x={LABEL - 8} y={y + 16} textAnchor="end" className="chart-label">
                {bar.label}
              </text>
              <rect x={LABEL} y={y + 3} width={length} height={ROW - 8} className="chart-bar" />
              <text x={LABEL + length + 6} y={y + 16} className="chart-value">
                {bar.display}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
