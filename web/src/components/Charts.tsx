/** Small SVG charts (no chart library): a bar chart and a line chart over time, each with a table twin. */
import { fmtInt, fmtRate } from '../format.ts';

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

/** Vertical bars with their values; `title` names the chart for screen readers. */
export function BarChart({ bars, title, height = 160 }: { bars: Bar[]; title: string; height?: number }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = 44;
  const gap = 14;
  const width = bars.length * (w + gap) + gap;
  const top = 18;
  const bottom = 22;
  const h = height - top - bottom;
  return (
    <svg className="chart" role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <line className="axis" x1={0} x2={width} y1={top + h} y2={top + h} />
      {bars.map((b, i) => {
        const bh = (h * b.value) / max;
        const x = gap + i * (w + gap);
        return (
          <g key={b.label}>
            <rect x={x} y={top + h - bh} width={w} height={Math.max(bh, b.value > 0 ? 1 : 0)} rx={2} fill={b.color ?? 'var(--accent)'} />
            <text x={x + w / 2} y={top + h - bh - 4} textAnchor="middle">{fmtInt(b.value)}</text>
            <text x={x + w / 2} y={height - 6} textAnchor="middle">{b.label}</text>
          </g>
        );
      })}
    </svg>
  );
}

/** Horizontal funnel: one bar per step, as wide as the records that came out of it (success + warn). */
export function Funnel({ rows, title }: { rows: { label: string; passed: number; failed: number }[]; title: string }) {
  const max = Math.max(1, ...rows.map((r) => r.passed + r.failed));
  return (
    <div role="img" aria-label={`${title}: ${rows.map((r) => `${r.label} ${r.passed} passed, ${r.failed} failed`).join('; ')}`}>
      {rows.map((r) => (
        <div key={r.label} style={{ display: 'grid', gridTemplateColumns: '130px 1fr 120px', gap: 8, alignItems: 'center', marginBottom: 4 }}>
          <span className="mono">{r.label}</span>
          <div style={{ display: 'flex', height: 14 }}>
            <span style={{ width: `${(100 * r.passed) / max}%`, background: 'var(--success)' }} />
            <span style={{ width: `${(100 * r.failed) / max}%`, background: 'var(--fail)' }} />
          </div>
          <span className="muted" style={{ fontSize: 12, fontVariantNumeric: 'tabular-nums' }}>
            {fmtInt(r.passed)} on{r.failed > 0 ? `, ${fmtInt(r.failed)} failed` : ''}
          </span>
        </div>
      ))}
    </div>
  );
}

export interface Point {
  t: number; // ms since epoch
  v: number;
}

/** Records per second over time (points sampled from the live progress stream). */
export function LineChart({ points, title, width = 560, height = 170 }: { points: Point[]; title: string; width?: number; height?: number }) {
  const left = 44;
  const right = 10;
  const top = 10;
  const bottom = 24;
  const w = width - left - right;
  const h = height - top - bottom;
  if (points.length < 2) {
    return <p className="muted">{title}: not enough samples yet (one every second while the task runs).</p>;
  }
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const span = Math.max(1, t1 - t0);
  const max = Math.max(1, ...points.map((p) => p.v));
  const x = (t: number) => left + (w * (t - t0)) / span;
  const y = (v: number) => top + h - (h * v) / max;
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const area = `${d} L${x(t1).toFixed(1)},${top + h} L${left},${top + h} Z`;
  const peak = points.reduce((a, b) => (b.v > a.v ? b : a));
  return (
    <svg className="chart" role="img" aria-label={`${title}: ${points.length} samples over ${Math.round(span / 1000)} s, peak ${fmtRate(peak.v)} records per second`} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <line className="axis" x1={left} x2={left + w} y1={top + h} y2={top + h} />
      <line className="axis" x1={left} x2={left} y1={top} y2={top + h} />
      <text x={left - 6} y={top + 8} textAnchor="end">{fmtRate(max)}</text>
      <text x={left - 6} y={top + h} textAnchor="end">0</text>
      <text x={left} y={height - 6}>0 s</text>
      <text x={left + w} y={height - 6} textAnchor="end">{Math.round(span / 1000)} s</text>
      <path className="area" d={area} />
      <path className="line" d={d} />
    </svg>
  );
}
