/**
 * One record's journey: its status at every step with the messages, its XML after any step
 * (highlighted), the diff between two steps, its tier breakdown and its thumbnails.
 */
import { useEffect, useState } from 'react';
import { getText, getToken, query, type RecordDetail, type RecordDiff, type StepName } from '../api.ts';
import { ErrorNotice } from '../common.tsx';
import { DiffView } from '../components/DiffView.tsx';
import { DepublishForm } from '../components/TaskActions.tsx';
import { XmlView } from '../components/XmlView.tsx';
import { fmtInt } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';

const COLOR: Record<string, string> = { success: 'var(--success)', warn: 'var(--warn)', fail: 'var(--fail)', cancelled: 'var(--cancelled)' };

function Content({ taskId, recordId, step }: { taskId: string; recordId: string; step: StepName }) {
  const [state, setState] = useState<{ xml?: string; error?: Error }>({});
  useEffect(() => {
    const ctl = new AbortController();
    setState({});
    getText(`/api/tasks/${encodeURIComponent(taskId)}/record/content${query({ recordId, step })}`, ctl.signal).then(
      (xml) => setState({ xml }),
      (error: Error) => !ctl.signal.aborted && setState({ error }),
    );
    return () => ctl.abort();
  }, [taskId, recordId, step]);
  if (state.error) return <ErrorNotice error={state.error} />;
  if (state.xml === undefined) return <p role="status">Loading the record after {step}…</p>;
  return (
    <>
      <p className="muted" style={{ margin: '0 0 6px' }}>{fmtInt(state.xml.length)} characters after {step}</p>
      <XmlView xml={state.xml} label={`Record XML after ${step}`} />
    </>
  );
}

function Diff({ taskId, recordId, steps }: { taskId: string; recordId: string; steps: StepName[] }) {
  const [from, setFrom] = useState<StepName>(steps[0]);
  const [to, setTo] = useState<StepName>(steps[steps.length - 1]);
  const diff = useApi<RecordDiff>(from && to && from !== to ? `/api/tasks/${encodeURIComponent(taskId)}/record/diff${query({ recordId, from, to })}` : null);
  if (steps.length < 2) return <p className="muted">Only one step kept this record's content: nothing to compare.</p>;
  return (
    <>
      <form className="row" onSubmit={(e) => e.preventDefault()} style={{ marginBottom: 8 }} aria-label="Choose the steps to compare">
        <label htmlFor="diff-from">From</label>
        <select id="diff-from" value={from} onChange={(e) => setFrom(e.target.value as StepName)}>
          {steps.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <label htmlFor="diff-to">to</label>
        <select id="diff-to" value={to} onChange={(e) => setTo(e.target.value as StepName)}>
          {steps.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        {diff.data && from !== to && (
          <span>
            <span style={{ color: 'var(--success)' }}>+{fmtInt(diff.data.added)}</span> / <span style={{ color: 'var(--fail)' }}>−{fmtInt(diff.data.removed)}</span> lines
          </span>
        )}
      </form>
      {from === to && <p className="muted">Choose two different steps.</p>}
      <ErrorNotice error={diff.error} />
      {diff.data && from !== to && (diff.data.added + diff.data.removed === 0 ? <p>No change between {from} and {to}.</p> : <DiffView lines={diff.data.lines} label={`Diff of the record from ${from} to ${to}`} />)}
    </>
  );
}

function Tiers({ tiers }: { tiers: Record<string, unknown> | null }) {
  if (!tiers) return <p className="muted">No tiers computed for this record (they are computed in preview and publish).</p>;
  const scalar = Object.entries(tiers).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(tiers).filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <>
      <dl className="kv">
        {scalar.map(([k, v]) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </div>
        ))}
      </dl>
      {nested.map(([k, v]) => (
        <details key={k} open={k.toLowerCase().includes('breakdown') || undefined}>
          <summary>{k}</summary>
          <pre className="xml">{JSON.stringify(v, null, 2)}</pre>
        </details>
      ))}
    </>
  );
}

export function RecordPage({ taskId, recordId }: { taskId: string; recordId: string }) {
  const rec = useApi<RecordDetail>(`/api/tasks/${encodeURIComponent(taskId)}/record${query({ recordId })}`);
  const task = useApi<{ datasetId: string; datasetName: string }>(`/api/tasks/${encodeURIComponent(taskId)}`);
  const [step, setStep] = useState<StepName>();
  const [tab, setTab] = useState<'content' | 'diff'>('content');
  const r = rec.data;
  const withContent = (r?.steps ?? []).filter((s) => s.hasContent).map((s) => s.step);
  const shown = step ?? withContent[withContent.length - 1];

  return (
    <>
      <div className="crumbs">
        <Link to={{ page: 'tasks' }}>Tasks</Link> / <Link to={{ page: 'task', taskId }}>{task.data?.datasetName ?? taskId}</Link> / record
      </div>
      <h1 className="mono" style={{ wordBreak: 'break-all' }}>{recordId}</h1>
      <ErrorNotice error={rec.error} />
      {r && (
        <>
          <section className="panel" aria-labelledby="h-journey">
            <h2 id="h-journey">Journey</h2>
            <p style={{ marginTop: 0 }}>
              Last status <strong style={{ color: COLOR[r.status] }}>{r.status}</strong> after <span className="mono">{r.lastStep}</span>.
            </p>
            <table aria-label="The record at every step">
              <thead>
                <tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col" style={{ width: '65%' }}>Messages</th><th scope="col">Content</th></tr>
              </thead>
              <tbody>
                {r.steps.map((s) => (
                  <tr key={s.step} data-step={s.step}>
                    <th scope="row" className="mono">{s.step}</th>
                    <td style={{ color: COLOR[s.status] }}>{s.status}</td>
                    <td>
                      {s.messages.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <ul style={{ margin: 0, paddingLeft: 18 }}>
                          {s.messages.map((m, i) => (
                            <li key={i} data-testid="record-message">
                              <span className={m.level === 'error' || m.level === 'fail' ? 'level-error' : 'level-warn'}>{m.level}</span>{' '}
                              {m.code && <span className="mono">{m.code}</span>} {m.message}
                              {m.detail !== undefined && m.detail !== null && (
                                <details>
                                  <summary>detail</summary>
                                  <pre className="xml">{typeof m.detail === 'string' ? m.detail : JSON.stringify(m.detail, null, 2)}</pre>
                                </details>
                              )}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      {s.hasContent ? (
                        <button type="button" className="link" onClick={() => { setStep(s.step); setTab('content'); document.getElementById('h-xml')?.scrollIntoView(); }}>
                          view XML
                        </button>
                      ) : (
                        <span className="muted">not kept</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section className="panel" aria-labelledby="h-xml">
            <h2 id="h-xml">Content</h2>
            <div
              className="tabs"
              role="tablist"
              aria-label="Content or diff"
              onKeyDown={(e) => {
                // Arrow keys move between the tabs (the WAI-ARIA tabs pattern); Tab leaves the tab list.
                if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
                const next = tab === 'content' ? 'diff' : 'content';
                setTab(next);
                document.getElementById(`tab-${next}`)?.focus();
              }}
            >
              <button type="button" role="tab" id="tab-content" aria-selected={tab === 'content'} aria-controls="panel-content" tabIndex={tab === 'content' ? 0 : -1} onClick={() => setTab('content')}>XML after a step</button>
              <button type="button" role="tab" id="tab-diff" aria-selected={tab === 'diff'} aria-controls="panel-diff" tabIndex={tab === 'diff' ? 0 : -1} onClick={() => setTab('diff')}>Diff between steps</button>
            </div>
            {withContent.length === 0 && <p className="muted">No step kept this record's content.</p>}
            {tab === 'content' && withContent.length > 0 && shown && (
              <div role="tabpanel" id="panel-content" aria-labelledby="tab-content">
                <div className="row" style={{ marginBottom: 8 }}>
                  <label htmlFor="xml-step">Step</label>
                  <select id="xml-step" value={shown} onChange={(e) => setStep(e.target.value as StepName)}>
                    {withContent.map((s) => <option key={s} value={s}>{s}</option>)}
                  </select>
                </div>
                <Content taskId={taskId} recordId={recordId} step={shown} />
              </div>
            )}
            {tab === 'diff' && withContent.length > 0 && (
              <div role="tabpanel" id="panel-diff" aria-labelledby="tab-diff">
                <Diff taskId={taskId} recordId={recordId} steps={withContent} />
              </div>
            )}
          </section>

          <div className="grid2">
            <section className="panel" aria-labelledby="h-rtiers">
              <h2 id="h-rtiers">Tiers</h2>
              <Tiers tiers={r.tiers} />
            </section>
            <section className="panel" aria-labelledby="h-thumbs">
              <h2 id="h-thumbs">Thumbnails</h2>
              {r.thumbnails.length === 0 ? (
                <p className="muted">No thumbnails (the media step made none for this record).</p>
              ) : (
                <div className="thumbs">
                  {r.thumbnails.map((u) => (
                    <figure key={u}>
                      {/* <img> sends no Authorization header: the API takes the token as ?access_token= on GETs. */}
                      <img src={getToken() ? `${u}${u.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(getToken())}` : u} alt={`Thumbnail ${u.split('/').pop()}`} loading="lazy" />
                      <figcaption className="mono" style={{ wordBreak: 'break-all' }}>{u.split('/').pop()}</figcaption>
                    </figure>
                  ))}
                </div>
              )}
            </section>
          </div>
          {task.data && (
            <section className="panel" aria-labelledby="h-rdep">
              <h2 id="h-rdep">Depublish this record</h2>
              <DepublishForm datasetId={task.data.datasetId} recordIds={[recordId]} />
            </section>
          )}
        </>
      )}
    </>
  );
}
