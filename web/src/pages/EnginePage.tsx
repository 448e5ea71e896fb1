/** The engine: topics and partitions, consumer groups with their lag and members, workers. */
import type { EngineInfo } from '../api.ts';
import { ErrorNotice, useInfo } from '../common.tsx';
import { fmtInt } from '../format.ts';
import { useApi } from '../hooks.ts';
import { useEffect } from 'react';

export function EnginePage() {
  const info = useInfo();
  const engine = useApi<EngineInfo>('/api/engine');
  const { reload } = engine;
  useEffect(() => {
    const t = setInterval(reload, 5000);
    return () => clearInterval(t);
  }, [reload]);
  const e = engine.data;
  return (
    <>
      <h1>Engine</h1>
      <ErrorNotice error={engine.error} />
      {e && (
        <>
          <div className="panel stats">
            <div className="stat"><div className="v">{e.mode}</div><div className="k">mode</div></div>
            <div className="stat"><div className="v">{fmtInt(e.workers)}</div><div className="k">workers</div></div>
            <div className="stat"><div className="v">{fmtInt(e.topics.length)}</div><div className="k">topics</div></div>
            <div className="stat"><div className="v">{fmtInt(e.groups.reduce((a, g) => a + g.lag, 0))}</div><div className="k">total lag</div></div>
            {info && <div className="stat"><div className="v">{info.version}</div><div className="k">version</div></div>}
          </div>
          {e.mode === 'embedded' && <p className="muted">Embedded mode: one process runs every step over an in-process log; there are no Kafka consumer groups.</p>}
          <div className="grid2">
            <section className="panel" aria-labelledby="h-topics">
              <h2 id="h-topics">Topics</h2>
              <table aria-label="Topics">
                <thead><tr><th scope="col">Topic</th><th scope="col" className="num">partitions</th></tr></thead>
                <tbody>
                  {e.topics.map((t) => (
                    <tr key={t.name}><td className="mono">{t.name}</td><td className="num">{t.partitions}</td></tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="panel" aria-labelledby="h-groups">
              <h2 id="h-groups">Consumer groups</h2>
              {e.groups.length === 0 && <p className="muted">None.</p>}
              {e.groups.map((g) => (
                <div key={g.groupId} style={{ marginBottom: 12 }}>
                  <h3 className="mono">{g.groupId} <span className="muted">({g.state}, lag {fmtInt(g.lag)})</span></h3>
                  <table aria-label={`Lag of ${g.groupId} per topic`}>
                    <thead><tr><th scope="col">Topic</th><th scope="col" className="num">lag</th></tr></thead>
                    <tbody>
                      {Object.entries(g.lagByTopic).map(([t, l]) => (
                        <tr key={t}><td className="mono">{t}</td><td className="num">{fmtInt(l)}</td></tr>
                      ))}
                    </tbody>
                  </table>
                  <p className="muted" style={{ fontSize: 12 }}>
                    Members: {g.members.length === 0 ? 'none' : g.members.map((m) => `${m.clientId}@${m.host}`).join(', ')}
                  </p>
                </div>
              ))}
            </section>
          </div>
        </>
      )}
    </>
  );
}
