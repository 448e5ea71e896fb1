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

/**
 * What a step can expect: the task's expected total for its first step, then what the step before
 * passed on (success + warn; failed records stop there, as in Metis), so a finished task's bars are full.
 */
export function stepExpected(steps: Pick<StepProgress, 'success' | 'warn'>[], i: number, expectedTotal: number | null): number {
  if (i === 0) return expectedTotal ?? 0;
  return steps[i - 1].success + steps[i - 1].warn;
}
