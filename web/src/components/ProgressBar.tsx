/** One step's records as a stacked bar: success, warn, fail, cancelled, and what is still to come. */
import type { StepProgress } from '../api.ts';
import { fmtInt } from '../format.ts';

export function ProgressBar({ p, expected }: { p: Pick<StepProgress, 'success' | 'warn' | 'fail' | 'cancelled'>; expected: number }) {
  const done = p.success + p.warn + p.fail + p.cancelled;
  const whole = Math.max(expected, done, 1);
  const pct = (n: number) => `${(100 * n) / whole}%`;
  const label = `${fmtInt(done)} of ${expected > 0 ? fmtInt(expected) : '?'}: ${fmtInt(p.success)} success, ${fmtInt(p.warn)} warn, ${fmtInt(p.fail)} fail, ${fmtInt(p.cancelled)} cancelled`;
  return (
    <div className="bar" role="img" aria-label={label} title={label}>
      <span className="s" style={{ width: pct(p.success) }} />
      <span className="w" style={{ width: pct(p.warn) }} />
      <span className="f" style={{ width: pct(p.fail) }} />
      <span className="c" style={{ width: pct(p.cancelled) }} />
    </div>
  );
}

export function Legend() {
  return (
    <div className="legend" aria-hidden="true">
      <span><i style={{ background: 'var(--success)' }} />success</span>
      <span><i style={{ background: 'var(--warn)' }} />warn</span>
      <span><i style={{ background: 'var(--fail)' }} />fail</span>
      <span><i style={{ background: 'var(--cancelled)' }} />cancelled</span>
      <span><i style={{ background: 'var(--pending)' }} />to do</span>
    </div>
  );
}
