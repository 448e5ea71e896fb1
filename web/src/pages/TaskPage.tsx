/**
 * One task: live progress per step (its SSE stream), throughput over time, the step funnel, the full
 * error report with drill-down to records, tiers (0 included), problem patterns, deleted at source,
 * its records, and the actions.
 */
import { useEffect, useRef, useState } from 'react';
import { LIVE_STATES, streamEvents, type Progress, type Task } from '../api.ts';
import { ErrorBoundary, ErrorNotice, StateBadge } from '../common.tsx';
import { BarChart, Funnel, LineChart, type Point } from '../components/Charts.tsx';
import { Legend, ProgressBar, stepExpected } from '../components/ProgressBar.tsx';
import { DepublishForm, TaskActions } from '../components/TaskActions.tsx';
import { ErrorReport } from '../components/ErrorReport.tsx';
import { RecordList, type RecordFilter } from '../components/RecordList.tsx';
import { TierPanel, PatternsPanel, DeletedPanel } from '../components/TaskPanels.tsx';
import { fmtDuration, fmtInt, fmtRate, fmtTime, sourceLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';

type TaskDetail = Task & { progress: Progress };

/** Keeps the last 10 minutes of records-per-second samples, computed from successive progress events. */
function useThroughput(progress: Progress | undefined): Point[] {
  const [points, setPoints] = useState<Point[]>([]);
  const last = useRef<{ t: number; n: number } | undefined>(undefined);
  useEffect(() => {
    if (!progress) return;
    const now = Date.now();
    const n = progress.steps.reduce((a, s) => a + s.total, 0);
    const prev = last.current;
    last.current = { t: now, n };
    if (!prev || now - prev.t < 250) return;
    const v = Math.max(0, ((n - prev.n) * 1000) / (now - prev.t));
    setPoints((p) => [...p.filter((x) => now - x.t < 600_000), ...(p.length === 0 ? [{ t: prev.t, v: 0 }] : []), { t: now, v }]);
  }, [progress]);
  return points;
}

export function TaskPage({ taskId }: { taskId: string }) {
  const path = `/api/tasks/${encodeURIComponent(taskId)}`;
  const task = useApi<TaskDetail>(path);
  const [live, setLive] = useState<Progress>();
  const [ended, setEnded] = useState(0);
  const [recordFilter, setRecordFilter] = useState<RecordFilter>({});
  const recordsRef = useRef<HTMLElement>(null);

  const state = live?.state ?? task.data?.state;
  const isLive = state !== undefined && LIVE_STATES.includes(state);
  const { reload } = task;
  useEffect(() => {
    if (!isLive) return;
    const ctl = new AbortController();
    streamEvents(
      `${path}/events`,
      (event, data: Progress) => {
        if (event === 'progress' || event === 'end') setLive(data);
        if (event === 'end') {
          setEnded((n) => n + 1);
          reload();
          return 'stop';
        }
      },
      ctl.signal,
    );
    return () => ctl.abort();
  }, [path, isLive, reload]);
  const progress = live ?? task.data?.progress;
  const points = useThroughput(live);

  if (task.error) return (<><h1>Task {taskId}</h1><ErrorNotice error={task.error} /></>);
  if (!task.data || !progress) return <p role="status">Loading task {taskId}…</p>;
  const t = task.data;
  const showRecords = (f: RecordFilter) => {
    setRecordFilter(f);
    requestAnimationFrame(() => recordsRef.current?.scrollIntoView({ block: 'start' }));
    recordsRef.current?.querySelector<HTMLElement>('h2')?.focus();
  };
  const funnel = progress.steps.map((s) => ({ label: s.step, passed: s.success + s.warn, failed: s.fail }));

  return (
    <>
      <div className="crumbs"><Link to={{ page: 'tasks' }}>Tasks</Link> / {t.taskId}</div>
      <h1>
        {t.datasetName} <span className="muted mono" style={{ fontSize: 15 }}>{t.taskId}</span> <StateBadge state={progress.state} />
      </h1>
      {progress.reason && <p className={`notice ${progress.state === 'failed' ? 'error' : ''}`}>{progress.reason}</p>}
      <div className="grid2">
        <section className="panel" aria-labelledby="h-about">
          <h2 id="h-about">About</h2>
          <dl className="kv">
            <dt>Dataset</dt><dd><span className="mono">{t.datasetId}</span> · {t.spec.dataset.country ?? ''} · {t.spec.dataset.language ?? ''}</dd>
            <dt>Source</dt>
            <dd>
              {t.spec.source.type === 'previous' ? (
                <>
                  task <Link to={{ page: 'task', taskId: t.spec.source.taskId }} className="mono">{t.spec.source.taskId}</Link> after {t.spec.source.step}
                </>
              ) : (
                sourceLabel(t.spec.source)
              )}
            </dd>
            <dt>Steps</dt><dd className="mono">{t.plan.join(' → ')}</dd>
            {t.spec.params && t.spec.source.type !== 'depublish' && (
              <>
                <dt>Parameters</dt>
                <dd>
                  media {t.spec.params.mediaMode ?? 'full'}
                  {t.spec.params.incremental ? ' · incremental' : ''}
                  {t.spec.params.detectDeleted ? ' · deleted-record detection' : ''}
                  {t.spec.params.externalXslt ? ' · provider XSLT' : ''}
                  {t.spec.params.transformXslt ? ' · own EDM XSLT' : ''}
                  {t.spec.limits?.recordLimit ? ` · limit ${fmtInt(t.spec.limits.recordLimit)} records` : ''}
                </dd>
              </>
            )}
            <dt>Created</dt><dd>{fmtTime(t.createdAt)}</dd>
            <dt>Started</dt><dd>{fmtTime(t.startedAt)}</dd>
            <dt>Finished</dt><dd>{fmtTime(t.finishedAt)}</dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="h-actions">
          <h2 id="h-actions">Actions</h2>
          <TaskActions task={{ ...t, state: progress.state }} onChange={reload} />
          <h3>Depublish</h3>
          <DepublishForm datasetId={t.datasetId} />
        </section>
      </div>

      <section className="panel" aria-labelledby="h-progress" data-testid="progress">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 id="h-progress">Progress {isLive && <span className="muted" style={{ fontSize: 12 }}>(live)</span>}</h2>
          <Legend />
        </div>
        <div className="stats" style={{ marginBottom: 10 }}>
          <div className="stat"><div className="v" data-testid="processed">{fmtInt(progress.processed)}</div><div className="k">records processed</div></div>
          <div className="stat"><div className="v">{progress.expectedTotal === null ? '–' : fmtInt(progress.expectedTotal)}</div><div className="k">expected{progress.listingDone ? '' : ' (listing…)'}</div></div>
          <div className="stat"><div className="v">{fmtInt(progress.deletedAtSource)}</div><div className="k">deleted at source</div></div>
          <div className="stat"><div className="v">{fmtDuration(progress.durationSeconds)}</div><div className="k">duration</div></div>
        </div>
        <table aria-label="Progress per step">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col" style={{ width: '34%' }}>Records</th>
              <th scope="col" className="num">success</th>
              <th scope="col" className="num">warn</th>
              <th scope="col" className="num">fail</th>
              <th scope="col" className="num">cancelled</th>
              <th scope="col" className="num">rec/s</th>
              <th scope="col" className="num">ETA</th>
            </tr>
          </thead>
          <tbody>
            {progress.steps.map((s, i) => (
              <tr key={s.step} data-step={s.step}>
                <th scope="row" className="mono">{s.step}</th>
                <td><ProgressBar p={s} expected={stepExpected(progress.steps, i, progress.expectedTotal)} /></td>
                <td className="num">{fmtInt(s.success)}</td>
                <td className="num">{s.warn > 0 ? <button type="button" className="link" onClick={() => showRecords({ step: s.step, status: 'warn' })}>{fmtInt(s.warn)}</button> : 0}</td>
                <td className="num">{s.fail > 0 ? <button type="button" className="link" onClick={() => showRecords({ step: s.step, status: 'fail' })}>{fmtInt(s.fail)}</button> : 0}</td>
                <td className="num">{fmtInt(s.cancelled)}</td>
                <td className="num">{fmtRate(s.ratePerSecond)}</td>
                <td className="num">{isLive ? fmtDuration(s.etaSeconds) : '–'}</td>
              </tr>
            ))}
            {progress.steps.length === 0 && (
              <tr><td colSpan={8} className="muted">No record has finished a step yet.</td></tr>
            )}
          </tbody>
        </table>
      </section>

      <div className="grid2">
        <section className="panel" aria-labelledby="h-throughput">
          <h2 id="h-throughput">Throughput</h2>
          {isLive || points.length > 1 ? (
            <LineChart points={points} title="Records per second, all steps, while this page is open" />
          ) : (
            <p className="muted">The task is not running; each step's average rate over its active time:</p>
          )}
          {progress.steps.length > 0 && (
            <BarChart
              title="Average records per second per step"
              bars={progress.steps.map((s) => ({ label: s.step.slice(0, 8), value: Math.round(s.ratePerSecond ?? 0) }))}
              height={140}
            />
          )}
        </section>
        <section className="panel" aria-labelledby="h-funnel">
          <h2 id="h-funnel">Step funnel</h2>
          <p className="muted" style={{ marginTop: 0 }}>Records each step passed on (success + warn) and failed.</p>
          {funnel.length > 0 ? <Funnel rows={funnel} title="Step funnel" /> : <p className="muted">No records yet.</p>}
        </section>
      </div>

      <ErrorBoundary label="The error report">
        <ErrorReport taskId={t.taskId} refreshKey={ended} onShowRecords={showRecords} />
      </ErrorBoundary>
      <ErrorBoundary label="The tiers">
        <TierPanel taskId={t.taskId} refreshKey={ended} />
      </ErrorBoundary>
      <div className="grid2">
        <ErrorBoundary label="The problem patterns">
          <PatternsPanel taskId={t.taskId} refreshKey={ended} />
        </ErrorBoundary>
        <ErrorBoundary label="The records deleted at source">
          <DeletedPanel taskId={t.taskId} refreshKey={ended} />
        </ErrorBoundary>
      </div>
      <section ref={recordsRef} aria-labelledby="h-records" className="panel">
        <h2 id="h-records" tabIndex={-1}>Records</h2>
        <ErrorBoundary label="The records">
          <RecordList taskId={t.taskId} plan={t.plan} filter={recordFilter} onFilter={setRecordFilter} refreshKey={ended} />
        </ErrorBoundary>
      </section>
    </>
  );
}
