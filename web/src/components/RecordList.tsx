/** A task's records with their status at every step and their tiers; filtered by status, step and error. */
import { useState } from 'react';
import { query, type RecordRow, type StepName } from '../api.ts';
import { ErrorNotice } from '../common.tsx';
import { fmtInt } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';

export interface RecordFilter {
  status?: string;
  step?: string;
  error?: string;
  q?: string;
}
const PAGE = 25;
const MARK: Record<string, string> = { success: '✓', warn: '!', fail: '✗', cancelled: '–' };
const COLOR: Record<string, string> = { success: 'var(--success)', warn: 'var(--warn)', fail: 'var(--fail)', cancelled: 'var(--cancelled)' };

export function RecordList({ taskId, plan, filter, onFilter, refreshKey }: { taskId: string; plan: StepName[]; filter: RecordFilter; onFilter: (f: RecordFilter) => void; refreshKey: number }) {
  const [offset, setOffset] = useState(0);
  const [lastFilter, setLastFilter] = useState(filter);
  if (lastFilter !== filter) {
    setLastFilter(filter);
    setOffset(0);
  }
  const list = useApi<{ total: number; records: RecordRow[] }>(
    `/api/tasks/${encodeURIComponent(taskId)}/records${query({ ...filter, limit: PAGE, offset })}`,
    refreshKey,
  );
  const set = (patch: Partial<RecordFilter>) => onFilter({ ...filter, ...patch });
  return (
    <>
      <form className="row" role="search" aria-label="Filter records" onSubmit={(e) => e.preventDefault()} style={{ marginBottom: 8 }}>
        <label htmlFor="rec-status">Status</label>
        <select id="rec-status" value={filter.status ?? ''} onChange={(e) => set({ status: e.target.value || undefined })}>
          <option value="">any</option>
          {['success', 'warn', 'fail', 'cancelled'].map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <label htmlFor="rec-step">at step</label>
        <select id="rec-step" value={filter.step ?? ''} onChange={(e) => set({ step: e.target.value || undefined })}>
          <option value="">last step</option>
          {plan.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <label htmlFor="rec-error">Message contains</label>
        <input id="rec-error" value={filter.error ?? ''} onChange={(e) => set({ error: e.target.value || undefined })} size={28} />
        <label htmlFor="rec-q">Record id contains</label>
        <input id="rec-q" value={filter.q ?? ''} onChange={(e) => set({ q: e.target.value || undefined })} size={16} />
        {(filter.status || filter.step || filter.error || filter.q) && <button type="button" onClick={() => onFilter({})}>Clear filters</button>}
      </form>
      <ErrorNotice error={list.error} />
      {list.data && (
        <p className="muted" role="status" style={{ margin: '4px 0' }}>
          {fmtInt(list.data.total)} record{list.data.total === 1 ? '' : 's'}
        </p>
      )}
      {list.data && list.data.records.length > 0 && (
        <div style={{ overflowX: 'auto' }}>
          <table aria-label="Records">
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Status</th>
                {plan.map((s) => <th scope="col" key={s} title={s} style={{ textAlign: 'center', fontSize: 11 }}>{s}</th>)}
                <th scope="col">Content tier</th>
                <th scope="col">Metadata tier</th>
              </tr>
            </thead>
            <tbody>
              {list.data.records.map((r) => (
                <tr key={r.recordId} data-testid="record-row">
                  <td><Link className="mono" to={{ page: 'record', taskId, recordId: r.recordId }}>{r.recordId}</Link></td>
                  <td style={{ color: COLOR[r.status] }}>{r.status}</td>
                  {plan.map((s) => {
                    const st = r.steps[s];
                    return (
                      <td key={s} style={{ textAlign: 'center', color: st ? COLOR[st] : 'var(--muted)' }} title={`${s}: ${st ?? 'not reached'}`}>
                        <span aria-hidden="true">{st ? MARK[st] : '·'}</span>
                        <span className="visually-hidden">{st ?? 'not reached'}</span>
                      </td>
                    );
                  })}
                  <td>{r.contentTier ?? '–'}</td>
                  <td>{r.metadataTier ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && list.data.total > PAGE && (
        <div className="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous records</button>
          <span className="muted">{offset + 1}–{Math.min(list.data.total, offset + PAGE)} of {fmtInt(list.data.total)}</span>
          <button type="button" disabled={offset + PAGE >= list.data.total} onClick={() => setOffset(offset + PAGE)}>Next records</button>
        </div>
      )}
    </>
  );
}
