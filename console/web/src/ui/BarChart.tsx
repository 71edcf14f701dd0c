import { useId } from 'react';
import { perMille } from '../lib/money';

export interface Bar {
  readonly label: string;
  /** In the smallest unit (fen, or a count), so lengths are exact ratios of integers. */
  readonly value: bigint;
  /** As the value is shown beside the bar (¥1,234.00, 56). */
  readonly display: string;
  /** Stacked segments (by operator …), in the order of the chart's series; they sum to value. */
  readonly parts?: readonly Part[];
}

export interface Part {
  /** Index into the chart's series, for its colour and name. */
  readonly series: number;
  readonly value: bigint;
  /** Shown on hover: the series and its figure. */
  readonly title?: string;
}

const WIDTH = 560;
const LABEL = 140;
const VALUE = 110;
const ROW = 26;
const SERIES_COLOURS = 6;

/** A horizontal bar chart in plain SVG; the same figures are in the table beside it. */
export function BarChart({
  title,
  bars,
  series,
}: {
  readonly title: string;
  readonly bars: readonly Bar[];
  /** Names of the stacked series, shown as a legend. */
  readonly series?: readonly string[];
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
              {bar.parts === undefined ? (
                <rect x={LABEL} y={y + 3} width={length} height={ROW - 8} className="chart-bar" />
              ) : (
                <Segments parts={bar.parts} max={max} span={span} y={y + 3} />
              )}
              <text x={LABEL + length + 6} y={y + 16} className="chart-value">
                {bar.display}
              </text>
            </g>
          );
        })}
      </svg>
      {series !== undefined && series.length > 0 && <Legend series={series} />}
    </figure>
  );
}

/** Each part from where the previous ended, so rounding never makes the stack longer. */
function Segments({
  parts,
  max,
  span,
  y,
}: {
  readonly parts: readonly Part[];
  readonly max: bigint;
  readonly span: number;
  readonly y: number;
}) {
  let before = 0n;
  return (
    <>
      {parts.map((part) => {
        const start = (perMille(before, max) * span) / 1000;
        before += part.value;
        const end = (perMille(before, max) * span) / 1000;
        return (
          <rect
            key={part.series}
            x={LABEL + start}
            y={y}
            width={end - start}
            height={ROW - 8}
            className={seriesClass(part.series)}
          >
            {part.title !== undefined && <title>{part.title}</title>}
          </rect>
        );
      })}
    </>
  );
}

function seriesClass(series: number): string {
  return `chart-series-${series % SERIES_COLOURS}`;
}

function Legend({ series }: { readonly series: readonly string[] }) {
  return (
    <ul className="chart-legend">
      {series.map((name, i) => (
        <li key={name}>
          <svg width="10" height="10" aria-hidden="true" className="chart-swatch">
            <rect width="10" height="10" className={seriesClass(i)} />
          </svg>
          {name}
        </li>
      ))}
    </ul>
  );
}
