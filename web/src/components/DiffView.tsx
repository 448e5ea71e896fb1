/** A record's step-to-step diff as the API computes it: added and removed lines, unchanged context folded. */
import type { ReactNode } from 'react';
import type { DiffLine } from '../api.ts';

const CONTEXT = 3;

export function DiffView({ lines, label }: { lines: DiffLine[]; label: string }) {
  // Keep CONTEXT unchanged lines around every change; fold the rest into one "… n unchanged" line.
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.op === ' ') return;
    for (let j = Math.max(0, i - CONTEXT); j <= Math.min(lines.length - 1, i + CONTEXT); j++) keep[j] = true;
  });
  const rows: ReactNode[] = [];
  let folded = 0;
  const flush = (key: string) => {
    if (folded > 0) rows.push(<span key={key} className="same">{`… ${folded} unchanged line${folded === 1 ? '' : 's'}`}</span>);
    folded = 0;
  };
  lines.forEach((l, i) => {
    if (!keep[i]) {
      folded++;
      return;
    }
    flush(`f${i}`);
    const cls = l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same';
    rows.push(<span key={i} className={cls}>{`${l.op === ' ' ? ' ' : l.op} ${l.text}`}</span>);
  });
  flush('end');
  return (
    <pre className="diff" tabIndex={0} aria-label={label} data-testid="diff-view">
      <code>{rows}</code>
    </pre>
  );
}
