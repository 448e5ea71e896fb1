/** Cancel, re-run from a step, depublish: each asks once more before it sends, and reports the answer. */
import { useState } from 'react';
import { LIVE_STATES, postJson, type StepName, type Task } from '../api.ts';
import { ErrorNotice, useInfo } from '../common.tsx';
import { navigate, hrefOf } from '../router.tsx';

const ROLE_RANK = { viewer: 0, operator: 1, admin: 2 } as const;

/** One request an operator starts: busy while it runs, its error kept to show. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function useCan(role: 'operator' | 'admin'): boolean {
  const info = useInfo();
  if (!info) return true; // unknown yet: let the server answer 401/403
  if (!info.auth.enabled) return true;
  return info.role !== null && ROLE_RANK[info.role] >= ROLE_RANK[role];
}

export function DepublishForm({ datasetId, recordIds, onDone }: { datasetId: string; recordIds?: string[]; onDone?: (t: Task) => void }) {
  const info = useInfo();
  const reasons = info?.depublicationReasons ?? [];
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const can = useCan('admin');
  const what = recordIds ? `record ${recordIds.join(', ')}` : `the whole dataset ${datasetId}`;
  const send = () =>
    run(async () => {
      const t = await postJson<Task>('/api/depublish', { datasetId, reason, ...(recordIds ? { recordIds } : {}) });
      setConfirming(false);
      onDone?.(t);
      navigate(hrefOf({ page: 'task', taskId: t.taskId }));
    });
  return (
    <div className="stack">
      <div className="row">
        <label htmlFor="dep-reason">Depublication reason</label>
        <select id="dep-reason" value={reason} onChange={(e) => { setReason(e.target.value); setConfirming(false); }} disabled={!can}>
          <option value="">choose…</option>
          {reasons.map((r) => (
            <option key={r.code} value={r.code}>{r.title}</option>
          ))}
        </select>
        {!confirming ? (
          <button type="button" className="danger" disabled={!reason || !can} onClick={() => setConfirming(true)}>
            Depublish {recordIds ? 'record' : 'dataset'}…
          </button>
        ) : (
          <>
            <span>Remove {what} from the published index?</span>
            <button type="button" className="danger" disabled={busy} onClick={send}>Yes, depublish</button>
            <button type="button" onClick={() => setConfirming(false)}>No</button>
          </>
        )}
      </div>
      {!can && <p className="muted">Depublication needs the admin role.</p>}
      <ErrorNotice error={error} />
    </div>
  );
}

export function TaskActions({ task, onChange }: { task: Task; onChange: () => void }) {
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [afterStep, setAfterStep] = useState<StepName | ''>('');
  const { busy, error, run } = useAction();
  const [message, setMessage] = useState('');
  const canOperate = useCan('operator');
  const live = LIVE_STATES.includes(task.state);
  // A re-run reads the outputs kept after a step and runs the rest of the plan.
  const rerunSteps = task.plan.slice(0, -1);

  const cancel = () =>
    run(async () => {
      await postJson(`/api/tasks/${encodeURIComponent(task.taskId)}/cancel`, {});
      setMessage('Cancel requested.');
      setConfirmCancel(false);
      onChange();
    });
  const rerun = () =>
    run(async () => {
      const t = await postJson<Task>(`/api/tasks/${encodeURIComponent(task.taskId)}/rerun`, { afterStep });
      navigate(hrefOf({ page: 'task', taskId: t.taskId }));
    });

  return (
    <div className="stack">
      <div className="row">
        {live &&
          (!confirmCancel ? (
            <button type="button" className="danger" disabled={!canOperate} onClick={() => setConfirmCancel(true)}>Cancel task…</button>
          ) : (
            <>
              <span>Cancel this task? Records in flight are marked cancelled.</span>
              <button type="button" className="danger" disabled={busy} onClick={cancel}>Yes, cancel</button>
              <button type="button" onClick={() => setConfirmCancel(false)}>No</button>
            </>
          ))}
        {rerunSteps.length > 0 && (
          <>
            <label htmlFor="rerun-after">Re-run after step</label>
            <select id="rerun-after" value={afterStep} onChange={(e) => setAfterStep(e.target.value as StepName)} disabled={!canOperate}>
              <option value="">choose…</option>
              {rerunSteps.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
            <button type="button" disabled={!afterStep || busy || !canOperate} onClick={rerun}>Re-run</button>
          </>
        )}
        <a className="button" href={hrefOf({ page: 'submit', from: task.taskId })} onClick={(e) => { e.preventDefault(); navigate(hrefOf({ page: 'submit', from: task.taskId })); }}>
          New task from this one…
        </a>
      </div>
      {!canOperate && <p className="muted">Cancelling and re-running need the operator role.</p>}
      {message && <p className="notice ok" role="status">{message}</p>}
      <ErrorNotice error={error} />
    </div>
  );
}
