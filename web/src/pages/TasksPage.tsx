/** Every task, newest first, with live progress per step (the /api/events stream). */
import { useEffect, useState } from 'react';
import { LIVE_STATES, query, streamEvents, type Task, type TaskState, type TaskWithProgress } from '../api.ts';
import { ErrorNotice, StateBadge } from '../common.tsx';
import { Legend, ProgressBar, stepExpected } from '../components/ProgressBar.tsx';
import { fmtInt, fmtRate, fmtTime, sourceLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';

const PAGE = 25;
const STATES: TaskState[] = ['queued', 'harvesting', 'processing', 'completed', 'failed', 'cancelled'];

function StepBars({ t }: { t: Task & { progress?: TaskWithProgress['progress'] } }) {
  const steps = t.progress?.steps ?? [];
  if (steps.length === 0) {
    // The list itself carries no per-step counters; the stream adds them for live and just-finished tasks.
    if (LIVE_STATES.includes(t.state) && t.processed === 0) return <span className="muted">no records yet</span>;
    return <span className="muted">{fmtInt(t.processed)} records processed{t.expectedTotal !== null ? ` of ${fmtInt(t.expectedTotal)}` : ''}</span>;
  }
  const expected = t.progress?.expectedTotal ?? t.expectedTotal;
  return (
    <div className="steps-mini">
      {steps.map((s, i) => (
        <div key={s.step} style={{ display: 'contents' }}>
          <span className="mono">{s.step}</span>
          <ProgressBar p={s} expected={stepExpected(steps, i, expected)} />
          <span className="muted">
            {fmtInt(s.total)}
            {s.ratePerSecond !== null && LIVE_STATES.includes(t.state) ? ` · ${fmtRate(s.ratePerSecond)}/s` : ''}
          </span>
        </div>
      ))}
    </div>
  );
}

export function TasksPage() {
  const [state, setState] = useState('');
  const [datasetId, setDatasetId] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useApi<{ total: number; tasks: Task[] }>(`/api/tasks${query({ state, datasetId, limit: PAGE, offset })}`);
  const [live, setLive] = useState<Record<string, TaskWithProgress>>({});
  const [streamError, setStreamError] = useState<Error>();

  useEffect(() => {
    const ctl = new AbortController();
    streamEvents(
      '/api/events',
      (event, data: { tasks: TaskWithProgress[] }) => {
        if (event !== 'tasks') return;
        setStreamError(undefined);
        setLive((prev) => {
          const next = { ...prev };
          for (const t of data.tasks) next[t.taskId] = t;
          return next;
        });
      },
      ctl.signal,
      (e) => setStreamError(e as Error),
    );
    return () => ctl.abort();
  }, []);

  // A task the stream knows that is newer than the whole first page (just submitted elsewhere): reload it.
  // (An older task still running beyond the first page is not "new": it must not reload in a loop.)
  const { reload } = list;
  const newest = Math.max(0, ...(list.data?.tasks ?? []).map((t) => Date.parse(t.createdAt)));
  const known = new Set(list.data?.tasks.map((t) => t.taskId));
  const unseen =
    list.data !== undefined &&
    offset === 0 &&
    !state &&
    !datasetId &&
    Object.values(live).some((t) => !known.has(t.taskId) && Date.parse(t.createdAt) > newest);
  useEffect(() => {
    if (unseen && !list.loading) reload();
  }, [unseen, list.loading, reload]);

  const tasks = (list.data?.tasks ?? []).map((t) => live[t.taskId] ?? t);
  const total = list.data?.total ?? 0;
  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>Tasks</h1>
        <Link className="button primary" to={{ page: 'submit' }}>Submit a task</Link>
      </div>
      <form className="row panel" role="search" aria-label="Filter tasks" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="f-state">State</label>
        <select id="f-state" value={state} onChange={(e) => { setState(e.target.value); setOffset(0); }}>
          <option value="">any</option>
          <option value={LIVE_STATES.join(',')}>running (queued, harvesting, processing)</option>
          {STATES.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
        <label htmlFor="f-dataset">Dataset id</label>
        <input id="f-dataset" value={datasetId} onChange={(e) => { setDatasetId(e.target.value.trim()); setOffset(0); }} size={16} />
        <span className="spacer" style={{ flex: 1 }} />
        <Legend />
      </form>
      <ErrorNotice error={list.error} />
      {streamError && <p className="notice" role="status">Live updates paused ({streamError.message}); retrying.</p>}
      <div className="panel">
        {list.data && tasks.length === 0 && <p>No tasks{state || datasetId ? ' match these filters' : ' yet'}. <Link to={{ page: 'submit' }}>Submit one</Link>.</p>}
        {tasks.length > 0 && (
          <table aria-label="Tasks">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Dataset</th>
                <th scope="col">State</th>
                <th scope="col" style={{ width: '46%' }}>Progress per step</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={t.taskId} data-task-id={t.taskId}>
                  <td><Link to={{ page: 'task', taskId: t.taskId }} className="mono">{t.taskId}</Link></td>
                  <td>
                    <div>{t.datasetName}</div>
                    <div className="muted mono">{t.datasetId}</div>
                    <div className="muted" style={{ fontSize: 12 }}>{sourceLabel(t.spec.source)}</div>
                  </td>
                  <td>
                    <StateBadge state={t.state} />
                    {t.reason && <div className="muted" style={{ fontSize: 12, maxWidth: 220 }}>{t.reason}</div>}
                  </td>
                  <td><StepBars t={t} /></td>
                  <td className="muted">{fmtTime(t.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {total > PAGE && (
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button>
            <span className="muted">{offset + 1}–{Math.min(total, offset + PAGE)} of {fmtInt(total)}</span>
            <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Older</button>
          </div>
        )}
      </div>
    </>
  );
}
