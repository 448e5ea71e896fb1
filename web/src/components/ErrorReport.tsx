/** The full error report: every group, paged, by step and level and text, with sample records and downloads. */
import { useState } from 'react';
import { download, query, type ErrorReport as Report, type StepName } from '../api.ts';
import { ErrorNotice } from '../common.tsx';
import { fmtInt } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import type { RecordFilter } from './RecordList.tsx';

const PAGE = 20;

export function ErrorReport({ taskId, refreshKey, onShowRecords }: { taskId: string; refreshKey: number; onShowRecords: (f: RecordFilter) => void }) {
  const [step, setStep] = useState('');
  const [level, setLevel] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [dlError, setDlError] = useState<Error>();
  const base = `/api/tasks/${encodeURIComponent(taskId)}`;
  const report = useApi<Report>(`${base}/errors${query({ step, level, q, limit: PAGE, offset})}`, refreshKey);
  const data = report.data;
  const steps = [...new Set((data?.bySteps ?? []).map((b) => b.step))] as StepName[];
  const dl = (ext: 'csv' | 'json') =>
    download(`${base}/errors.${ext}${query({ step, level })}`, `${taskId}-errors.${ext}`).catch((e: Error) => setDlError(e));

  return (
    <section className="panel" aria-labelledby="h-errors" data-testid="error-report">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="h-errors">Error report</h2>
        <div className="row">
          <button type="button" onClick={() => dl('csv')}>Download CSV</button>
          <button type="button" onClick={() => dl('json')}>Download JSON</button>
        </div>
      </div>
      <ErrorNotice error={dlError} />
      {data && data.bySteps.length > 0 && (
        <table aria-label="Error groups per step" style={{ marginBottom: 10 }}>
          <thead>
            <tr><th scope="col">Step</th><th scope="col">Level</th><th scope="col" className="num">groups</th><th scope="col" className="num">records</th><th scope="col"><span className="visually-hidden">Filter</span></th></tr>
          </thead>
          <tbody>
            {data.bySteps.map((b) => (
              <tr key={`${b.step}-${b.level}`}>
                <td className="mono">{b.step}</td>
                <td className={`level-${b.level}`}>{b.level}</td>
                <td className="num">{fmtInt(b.groups)}</td>
                <td className="num">{fmtInt(b.records)}</td>
                <td><button type="button" className="link" onClick={() => { setStep(b.step); setLevel(b.level); setOffset(0); }}>show these groups</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="row" role="search" aria-label="Filter error groups" onSubmit={(e) => e.preventDefault()} style={{ marginBottom: 8 }}>
        <label htmlFor="err-step">Step</label>
        <select id="err-step" value={step} onChange={(e) => { setStep(e.target.value); setOffset(0); }}>
          <option value="">all</option>
          {steps.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <label htmlFor="err-level">Level</label>
        <select id="err-level" value={level} onChange={(e) => { setLevel(e.target.value); setOffset(0); }}>
          <option value="">all</option>
          <option value="error">error</option>
          <option value="warn">warn</option>
        </select>
        <label htmlFor="err-q">Message contains</label>
        <input id="err-q" value={q} onChange={(e) => { setQ(e.target.value); setOffset(0); }} />
      </form>
      <ErrorNotice error={report.error} />
      {data && data.total === 0 && <p className="muted">No warnings or errors{step || level || q ? ' match these filters' : ''}.</p>}
      {data && data.groups.length > 0 && (
        <table aria-label="Error groups">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Level</th>
              <th scope="col" style={{ width: '55%' }}>Message</th>
              <th scope="col" className="num">records</th>
              <th scope="col">Samples</th>
            </tr>
          </thead>
          <tbody>
            {data.groups.map((g, i) => (
              <tr key={`${offset + i}`} data-testid="error-group">
                <td className="mono">{g.step}</td>
                <td className={`level-${g.level}`}>{g.level}</td>
                <td style={{ wordBreak: 'break-word' }}>{g.message}</td>
                <td className="num">
                  <button type="button" className="link" onClick={() => onShowRecords({ step: g.step, status: g.level === 'error' ? 'fail' : 'warn', error: g.message })} aria-label={`Show the ${g.count} records of this group`}>
                    {fmtInt(g.count)}
                  </button>
                </td>
                <td>
                  <div className="sample-ids">
                    {g.sampleIds.slice(0, 3).map((id) => (
                      <Link key={id} className="mono" to={{ page: 'record', taskId, recordId: id }}>{id}</Link>
                    ))}
                    {g.sampleIds.length > 3 && <span className="muted">+{g.sampleIds.length - 3}</span>}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && data.total > PAGE && (
        <div className="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous groups</button>
          <span className="muted">groups {offset + 1}–{Math.min(data.total, offset + PAGE)} of {fmtInt(data.total)}</span>
          <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>Next groups</button>
        </div>
      )}
    </section>
  );
}
