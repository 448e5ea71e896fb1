/** A task's tiers (content 0–4, metadata 0/A/B/C, tier 0 included), problem patterns and deleted records. */
import { query, type Patterns, type Tiers } from '../api.ts';
import { ErrorNotice } from '../common.tsx';
import { fmtInt } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { BarChart } from './Charts.tsx';

const CONTENT = ['0', '1', '2', '3', '4'];
const METADATA = ['0', 'A', 'B', 'C'];

export function TierPanel({ taskId, refreshKey }: { taskId: string; refreshKey: number }) {
  const tiers = useApi<Tiers>(`/api/tasks/${encodeURIComponent(taskId)}/tiers`, refreshKey);
  const t = tiers.data;
  const zeroColor = (k: string) => (k === '0' ? 'var(--fail)' : 'var(--accent)');
  return (
    <section className="panel" aria-labelledby="h-tiers" data-testid="tiers">
      <h2 id="h-tiers">Tiers</h2>
      <ErrorNotice error={tiers.error} />
      {t && t.total === 0 && <p className="muted">No record has had its tiers computed (they are computed in preview and publish).</p>}
      {t && t.total > 0 && (
        <>
          <p className="muted" style={{ marginTop: 0 }}>{fmtInt(t.total)} records with tiers, published or not; tier 0 is not suitable for publication.</p>
          <div className="row" style={{ alignItems: 'flex-start', gap: 32 }}>
            <div>
              <h3>Content tier</h3>
              <BarChart title="Records per content tier" bars={CONTENT.map((k) => ({ label: k, value: t.content[k] ?? 0, color: zeroColor(k) }))} />
            </div>
            <div>
              <h3>Metadata tier</h3>
              <BarChart title="Records per metadata tier" bars={METADATA.map((k) => ({ label: k, value: t.metadata[k] ?? 0, color: zeroColor(k) }))} />
            </div>
            <div style={{ flex: 1, minWidth: 260 }}>
              <h3>Tier 0</h3>
              {(['content', 'metadata'] as const).map((kind) => (
                <div key={kind} style={{ marginBottom: 8 }}>
                  <strong>{fmtInt(t.tierZero[kind].total)}</strong> records at {kind} tier 0
                  {t.tierZero[kind].samples.length > 0 && (
                    <div className="sample-ids">
                      {t.tierZero[kind].samples.slice(0, 5).map((id) => (
                        <Link key={id} className="mono" to={{ page: 'record', taskId, recordId: id }}>{id}</Link>
                      ))}
                    </div>
                  )}
                </div>
              ))}
            </div>
          </div>
          {t.matrix.length > 0 && (
            <details>
              <summary>Content × metadata tier</summary>
              <table aria-label="Records per content and metadata tier" style={{ maxWidth: 420 }}>
                <thead>
                  <tr><th scope="col">content \ metadata</th>{METADATA.map((m) => <th scope="col" key={m} className="num">{m}</th>)}</tr>
                </thead>
                <tbody>
                  {CONTENT.map((c) => (
                    <tr key={c}>
                      <th scope="row">{c}</th>
                      {METADATA.map((m) => (
                        <td key={m} className="num">{fmtInt(t.matrix.find((x) => x.contentTier === c && x.metadataTier === m)?.count ?? 0)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </>
      )}
    </section>
  );
}

export function PatternsPanel({ taskId, refreshKey }: { taskId: string; refreshKey: number }) {
  const p = useApi<Patterns>(`/api/tasks/${encodeURIComponent(taskId)}/patterns`, refreshKey);
  return (
    <section className="panel" aria-labelledby="h-patterns">
      <h2 id="h-patterns">Problem patterns</h2>
      <ErrorNotice error={p.error} />
      {p.data && !p.data.available && <p className="muted">This task stored no problem-pattern analysis.</p>}
      {p.data && p.data.available && p.data.patterns.length === 0 && <p className="muted">No problem pattern found.</p>}
      {p.data && p.data.patterns.length > 0 && (
        <table aria-label="Problem patterns">
          <thead><tr><th scope="col">Pattern</th><th scope="col">Severity</th><th scope="col" className="num">occurrences</th><th scope="col">Records</th></tr></thead>
          <tbody>
            {p.data.patterns.map((x) => (
              <tr key={x.id}>
                <td><span className="mono">{x.id}</span> {x.title}</td>
                <td>{x.severity}</td>
                <td className="num">{fmtInt(x.recordOccurrences)}</td>
                <td>
                  <div className="sample-ids">
                    {x.records.slice(0, 3).map((r) => (
                      <Link key={r.recordId} className="mono" to={{ page: 'record', taskId, recordId: r.recordId }}>
                        {r.recordId}{r.occurrences > 1 ? ` (${r.occurrences}×)` : ''}
                      </Link>
                    ))}
                    {x.records.length > 3 && <span className="muted">+{x.records.length - 3}</span>}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function DeletedPanel({ taskId, refreshKey }: { taskId: string; refreshKey: number }) {
  const d = useApi<{ total: number; records: { recordId: string; status: string }[] }>(
    `/api/tasks/${encodeURIComponent(taskId)}/deleted${query({ limit: 20 })}`,
    refreshKey,
  );
  return (
    <section className="panel" aria-labelledby="h-deleted">
      <h2 id="h-deleted">Deleted at source</h2>
      <ErrorNotice error={d.error} />
      {d.data && d.data.total === 0 && <p className="muted">No record was removed as gone from the source (needs deleted-record detection on a full harvest).</p>}
      {d.data && d.data.total > 0 && (
        <>
          <p>{fmtInt(d.data.total)} records depublished because the source no longer has them.</p>
          <ul>
            {d.data.records.map((r) => <li key={r.recordId} className="mono">{r.recordId} <span className="muted">{r.status}</span></li>)}
          </ul>
        </>
      )}
    </section>
  );
}
