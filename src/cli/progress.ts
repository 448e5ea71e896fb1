/**
 * Progress display for the command line: one bar per step of the task's plan, redrawn in place on a
 * terminal, printed as plain lines every few seconds otherwise (CI logs, pipes), and a final summary.
 */
import type { TaskStatus } from '../pipeline/service.ts';

const BAR = 24;

export function renderProgress(s: TaskStatus): string[] {
  const total = s.task.expectedTotal;
  const lines = [
    `task ${s.task.taskId}  dataset ${s.task.datasetId}  ${s.task.state}${s.task.listingDone ? '' : ' (listing)'}  ${s.durationSeconds?.toFixed(1)} s`,
  ];
  const byStep = new Map(s.progress.map((p) => [p.step, p]));
  for (const step of s.task.plan) {
    const p = byStep.get(step);
    const done = p ? p.success + p.warn + p.fail + p.cancelled : 0;
    const frac = total ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * BAR);
    const bar = total ? '█'.repeat(filled) + '░'.repeat(BAR - filled) : '·'.repeat(BAR);
    const rate =
      p?.firstAt && p.lastAt && done > 1
        ? done / Math.max(0.001, (new Date(p.lastAt).getTime() - new Date(p.firstAt).getTime()) / 1000)
        : 0;
    lines.push(
      `  ${step.padEnd(18)} ${bar} ${String(done).padStart(6)}/${total ?? '?'}  ok ${p?.success ?? 0}  warn ${p?.warn ?? 0}  fail ${p?.fail ?? 0}${rate ? `  ${rate.toFixed(0)} rec/s` : ''}`,
    );
  }
  return lines;
}

export function renderSummary(s: TaskStatus, where: string): string {
  const out = ['', ...renderProgress(s), ''];
  if (s.task.reason) out.push(`reason: ${s.task.reason}`);
  if (s.errors.length > 0) {
    out.push('errors and warnings, grouped by message:');
    for (const e of s.errors.slice(0, 15)) {
      out.push(`  [${e.step}] ${e.level} ×${e.count}: ${e.message.slice(0, 160)}${e.message.length > 160 ? '…' : ''}`);
      out.push(`      e.g. ${e.sampleIds.slice(0, 3).join(', ')}`);
    }
    if (s.errors.length > 15) out.push(`  … ${s.errors.length - 15} more groups`);
  }
  if (s.tiers.length > 0) {
    out.push('tiers (content / metadata → records):');
    for (const t of s.tiers) out.push(`  ${t.contentTier} / ${t.metadataTier} → ${t.count}`);
  }
  out.push(`results: ${where}`);
  return out.join('\n');
}

/** Draws progress until stopped; returns a function that stops it. */
export function startProgressDisplay(stream: NodeJS.WriteStream = process.stderr): {
  update(s: TaskStatus): void;
  stop(): void;
} {
  const tty = stream.isTTY === true;
  let drawn = 0;
  let lastPrint = 0;
  return {
    update(s) {
      const lines = renderProgress(s);
      if (tty) {
        if (drawn > 0) stream.write(`\x1b[${drawn}F`);
        stream.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
        drawn = lines.length;
      } else if (Date.now() - lastPrint > 3000) {
        lastPrint = Date.now();
        stream.write(lines.join('\n') + '\n');
      }
    },
    stop() {
      drawn = 0;
    },
  };
}
