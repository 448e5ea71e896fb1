/** Plain-text tables for the reading commands: columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Seconds between two times, as `12.3 s` (or `-` when it has not started). */
export function duration(start: Date | null | undefined, end: Date | null | undefined): string {
  if (!start) return '-';
  const s = ((end ?? new Date()).getTime() - new Date(start).getTime()) / 1000;
  return `${s.toFixed(1)} s`;
}
