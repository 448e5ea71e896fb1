/** Numbers, times and durations as the pages show them. */
const nf = new Intl.NumberFormat('en');
export const fmtInt = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : nf.format(n));

export function fmtRate(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–';
  return r >= 100 ? nf.format(Math.round(r)) : r.toFixed(1);
}

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}

export function sourceLabel(source: { type: string; [k: string]: unknown }): string {
  switch (source.type) {
    case 'oai':
      return `OAI-PMH ${String(source.url)}${source.set ? ` set ${String(source.set)}` : ''}`;
    case 'archive':
      return `archive ${String(source.url)}`;
    case 'previous':
      return `task ${String(source.taskId)} after ${String(source.step)}`;
    case 'depublish':
      return `depublication (${String(source.reason)})`;
    default:
      return source.type;
  }
}
