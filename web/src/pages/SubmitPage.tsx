/**
 * Submitting a task: a source (OAI-PMH, an archive by URL or upload, an earlier task's step), the steps,
 * a provider XSLT upload, parameters and limits. Checked here first (each field names its problem), then
 * by the server, whose answer names the field it refused.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, getJson, postForm, postJson, type StepName, type Task, type TaskSpec } from '../api.ts';
import { ErrorNotice, useInfo } from '../common.tsx';
import { useCan } from '../components/TaskActions.tsx';
import { hrefOf, navigate } from '../router.tsx';

const ORDER: StepName[] = ['harvest', 'transform-external', 'validate-external', 'transform', 'validate-internal', 'normalize', 'enrich', 'media', 'preview', 'publish'];
const DEFAULT: StepName[] = ORDER.filter((s) => s !== 'transform-external');
type SourceKind = 'oai' | 'archive-url' | 'archive-upload' | 'previous';
type Errors = Partial<Record<string, string>>;

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <span className="hint" id={`${id}-hint`}>{hint}</span>}
      {error && <span className="error" id={`${id}-error`} role="alert">{error}</span>}
    </div>
  );
}
const described = (id: string, errors: Errors, key: string, hint = false) => ({
  id,
  'aria-invalid': errors[key] ? true : undefined,
  'aria-describedby': [errors[key] ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined,
});

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/.test(s);

/** Steps must follow Metis's order without a gap (transform-external is optional, link checking may follow any step). */
export function stepsProblem(steps: StepName[], startsAfter?: StepName): string | undefined {
  const core = steps.filter((s) => s !== 'linkcheck');
  if (core.length === 0) return 'Choose at least one step.';
  const idx = core.map((s) => ORDER.indexOf(s));
  const first = startsAfter ? ORDER.indexOf(startsAfter) + 1 : 0;
  const expectedFirst = ORDER[first] === 'transform-external' && !core.includes('transform-external') ? first + 1 : first;
  if (idx[0] !== expectedFirst) return `The first step must be ${ORDER[expectedFirst] ?? 'none'}${startsAfter ? ` (the task reads the outputs of ${startsAfter})` : ''}.`;
  for (let i = 1; i < idx.length; i++) {
    const gap = ORDER.slice(idx[i - 1] + 1, idx[i]).filter((s) => s !== 'transform-external');
    if (gap.length > 0) return `Steps ${ORDER[idx[i - 1]]} and ${ORDER[idx[i]]} leave a gap: ${gap.join(', ')} would be skipped.`;
  }
  return undefined;
}

export function SubmitPage({ from }: { from?: string }) {
  const info = useInfo();
  const canOperate = useCan('operator');
  const [kind, setKind] = useState<SourceKind>(from ? 'previous' : 'oai');
  const [datasetId, setDatasetId] = useState('');
  const [datasetName, setDatasetName] = useState('');
  const [country, setCountry] = useState('Europe');
  const [language, setLanguage] = useState('mul');
  const [oaiUrl, setOaiUrl] = useState('');
  const [prefix, setPrefix] = useState('edm');
  const [set, setSet] = useState('');
  const [fromDate, setFromDate] = useState('');
  const [untilDate, setUntilDate] = useState('');
  const [archiveUrl, setArchiveUrl] = useState('');
  const [archiveFile, setArchiveFile] = useState<File | null>(null);
  const [prevTask, setPrevTask] = useState(from ?? '');
  const [prevStep, setPrevStep] = useState<StepName>('harvest');
  const [steps, setSteps] = useState<StepName[]>(DEFAULT);
  const [xsltFile, setXsltFile] = useState<File | null>(null);
  const [incremental, setIncremental] = useState(false);
  const [detectDeleted, setDetectDeleted] = useState(false);
  const [mediaMode, setMediaMode] = useState<'full' | 'reduced'>('full');
  const [recordLimit, setRecordLimit] = useState('');
  const [linkcheck, setLinkcheck] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  // After a refused submit, the first field marked invalid gets the focus (once React has marked it).
  const [focusFirstError, setFocusFirstError] = useState(0);
  useEffect(() => {
    if (focusFirstError === 0) return;
    document.querySelector<HTMLElement>('[aria-invalid="true"], fieldset[data-invalid="true"] input')?.focus();
  }, [focusFirstError]);

  // "New task from this one": take the earlier task's dataset and offer its steps.
  useEffect(() => {
    if (!from) return;
    getJson<Task>(`/api/tasks/${encodeURIComponent(from)}`).then(
      (t) => {
        setDatasetId(t.datasetId);
        setDatasetName(t.datasetName);
        setCountry(t.spec.dataset.country ?? 'Europe');
        setLanguage(t.spec.dataset.language ?? 'mul');
        // Read its records after its first step (harvest, usually); the operator may pick a later one.
        const first = t.plan.find((s) => ORDER.includes(s));
        if (first) setPrevStep(first);
      },
      () => undefined,
    );
  }, [from]);

  // From an earlier task, the steps start after the one whose outputs are read.
  const available = kind === 'previous' ? ORDER.slice(ORDER.indexOf(prevStep) + 1) : ORDER;
  useEffect(() => {
    if (kind === 'previous') setSteps(DEFAULT.filter((s) => ORDER.indexOf(s) > ORDER.indexOf(prevStep)));
    else setSteps(DEFAULT);
  }, [kind, prevStep]);

  const chosenSteps = (): StepName[] => {
    const s = ORDER.filter((x) => steps.includes(x) || (x === 'transform-external' && xsltFile && steps.includes('harvest')));
    return linkcheck ? [...s, 'linkcheck'] : s;
  };

  const validate = (): Errors => {
    const e: Errors = {};
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(datasetId)) e['dataset.id'] = 'Dataset id: 1–64 letters, digits, _ or -.';
    if (!datasetName.trim()) e['dataset.name'] = 'Give the dataset a name.';
    if (language.length < 2 || language.length > 8) e['dataset.language'] = 'Language: a code of 2–8 characters (e.g. mul, en, nld).';
    if (kind === 'oai') {
      if (!isHttpUrl(oaiUrl)) e['source.url'] = 'An http(s) address of the OAI-PMH endpoint.';
      if (!prefix.trim()) e['source.metadataPrefix'] = 'The metadata prefix (edm for EDM records).';
      if (fromDate && !isDate(fromDate)) e['source.from'] = 'A date YYYY-MM-DD (or YYYY-MM-DDThh:mm:ssZ).';
      if (untilDate && !isDate(untilDate)) e['source.until'] = 'A date YYYY-MM-DD (or YYYY-MM-DDThh:mm:ssZ).';
      if (fromDate && untilDate && isDate(fromDate) && isDate(untilDate) && fromDate > untilDate) e['source.until'] = 'Until must not be before from.';
    }
    if (kind === 'archive-url' && !isHttpUrl(archiveUrl)) e['source.url'] = 'An http(s) address of a zip, tar or tar.gz archive.';
    if (kind === 'archive-upload') {
      if (!archiveFile) e.archive = 'Choose a zip, tar or tar.gz file.';
      else if (info && archiveFile.size > info.uploadLimitBytes) e.archive = `The file is ${archiveFile.size} bytes; the server takes at most ${info.uploadLimitBytes}.`;
    }
    if (kind === 'previous' && !prevTask.trim()) e['source.taskId'] = 'The id of the earlier task.';
    if (recordLimit && !/^[1-9]\d*$/.test(recordLimit)) e['limits.recordLimit'] = 'A whole number above 0, or empty for no limit.';
    const sp = stepsProblem(chosenSteps(), kind === 'previous' ? prevStep : undefined);
    if (sp) e.steps = sp;
    if (xsltFile && !/\.(xslt?|xml)$/i.test(xsltFile.name)) e.externalXslt = 'An XSLT file (.xsl or .xslt).';
    return e;
  };

  const submit = async () => {
    setServerError(undefined);
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length > 0) {
      setFocusFirstError((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      const base: Omit<TaskSpec, 'source'> = {
        dataset: { id: datasetId, name: datasetName.trim(), country, language },
        steps: chosenSteps(),
        params: { incremental, detectDeleted, mediaMode },
        limits: recordLimit ? { recordLimit: Number(recordLimit) } : {},
      };
      let task: Task;
      if (kind === 'archive-upload') {
        const form = new FormData();
        form.set('spec', JSON.stringify(base));
        form.set('archive', archiveFile!, archiveFile!.name);
        if (xsltFile) form.set('externalXslt', xsltFile, xsltFile.name);
        task = await postForm<Task>('/api/tasks/upload', form);
      } else {
        const source: TaskSpec['source'] =
          kind === 'oai'
            ? { type: 'oai', url: oaiUrl.trim(), metadataPrefix: prefix.trim(), ...(set ? { set } : {}), ...(fromDate ? { from: fromDate } : {}), ...(untilDate ? { until: untilDate } : {}) }
            : kind === 'archive-url'
              ? { type: 'archive', url: archiveUrl.trim() }
              : { type: 'previous', taskId: prevTask.trim(), step: prevStep };
        const params = { ...base.params, ...(xsltFile ? { externalXslt: await xsltFile.text() } : {}) };
        task = await postJson<Task>('/api/tasks', { ...base, source, params });
      }
      navigate(hrefOf({ page: 'task', taskId: task.taskId }));
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0) {
        const byField: Errors = {};
        for (const i of err.issues) byField[i.field.replace(/^(body|spec)\./, '')] ??= i.message;
        setErrors(byField);
      } else if (err instanceof ApiError && err.field) {
        setErrors({ [err.field.replace(/^(body|spec)\./, '')]: err.message });
      }
      setServerError(err as Error);
      setFocusFirstError((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const toggleStep = (s: StepName) => setSteps((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));

  return (
    <>
      <h1>Submit a task</h1>
      {!canOperate && <p className="notice error">Submitting needs the operator role: enter an operator token above.</p>}
      <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-label="Submit a task" className="panel">
        <fieldset>
          <legend>Dataset</legend>
          <div className="row" style={{ alignItems: 'flex-start' }}>
            <Field id="ds-id" label="Dataset id" hint="letters, digits, _ and -" error={errors['dataset.id']}>
              <input {...described('ds-id', errors, 'dataset.id', true)} value={datasetId} onChange={(e) => setDatasetId(e.target.value)} required />
            </Field>
            <Field id="ds-name" label="Dataset name" error={errors['dataset.name']}>
              <input {...described('ds-name', errors, 'dataset.name')} value={datasetName} onChange={(e) => setDatasetName(e.target.value)} required size={30} />
            </Field>
            <Field id="ds-country" label="Country" error={errors['dataset.country']}>
              <input {...described('ds-country', errors, 'dataset.country')} value={country} onChange={(e) => setCountry(e.target.value)} size={12} />
            </Field>
            <Field id="ds-language" label="Language" error={errors['dataset.language']}>
              <input {...described('ds-language', errors, 'dataset.language')} value={language} onChange={(e) => setLanguage(e.target.value)} size={6} />
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>Source</legend>
          <div className="checks" role="radiogroup" aria-label="Where the records come from" style={{ marginBottom: 10 }}>
            {([
              ['oai', 'OAI-PMH harvest'],
              ['archive-url', 'Archive by URL'],
              ['archive-upload', 'Archive upload'],
              ['previous', 'An earlier task'],
            ] as [SourceKind, string][]).map(([k, label]) => (
              <label key={k}>
                <input type="radio" name="source-kind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {label}
              </label>
            ))}
          </div>
          {kind === 'oai' && (
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <Field id="oai-url" label="OAI-PMH endpoint" error={errors['source.url']}>
                <input {...described('oai-url', errors, 'source.url')} type="url" value={oaiUrl} onChange={(e) => setOaiUrl(e.target.value)} size={44} placeholder="https://example.org/oai" />
              </Field>
              <Field id="oai-prefix" label="Metadata prefix" error={errors['source.metadataPrefix']}>
                <input {...described('oai-prefix', errors, 'source.metadataPrefix')} value={prefix} onChange={(e) => setPrefix(e.target.value)} size={8} />
              </Field>
              <Field id="oai-set" label="Set (optional)" error={errors['source.set']}>
                <input {...described('oai-set', errors, 'source.set')} value={set} onChange={(e) => setSet(e.target.value)} size={12} />
              </Field>
              <Field id="oai-from" label="From (optional)" hint="YYYY-MM-DD" error={errors['source.from']}>
                <input {...described('oai-from', errors, 'source.from', true)} value={fromDate} onChange={(e) => setFromDate(e.target.value)} size={12} />
              </Field>
              <Field id="oai-until" label="Until (optional)" hint="YYYY-MM-DD" error={errors['source.until']}>
                <input {...described('oai-until', errors, 'source.until', true)} value={untilDate} onChange={(e) => setUntilDate(e.target.value)} size={12} />
              </Field>
            </div>
          )}
          {kind === 'archive-url' && (
            <Field id="archive-url" label="Archive address" hint="zip, tar or tar.gz over http(s)" error={errors['source.url']}>
              <input {...described('archive-url', errors, 'source.url', true)} type="url" value={archiveUrl} onChange={(e) => setArchiveUrl(e.target.value)} size={50} />
            </Field>
          )}
          {kind === 'archive-upload' && (
            <Field id="archive-file" label="Archive file" hint={info ? `zip, tar or tar.gz; at most ${Math.round(info.uploadLimitBytes / 1048576)} MiB` : 'zip, tar or tar.gz'} error={errors.archive}>
              <input {...described('archive-file', errors, 'archive', true)} type="file" accept=".zip,.tar,.tgz,.gz" onChange={(e) => setArchiveFile(e.target.files?.[0] ?? null)} />
            </Field>
          )}
          {kind === 'previous' && (
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <Field id="prev-task" label="Earlier task id" error={errors['source.taskId']}>
                <input {...described('prev-task', errors, 'source.taskId')} value={prevTask} onChange={(e) => setPrevTask(e.target.value)} size={30} />
              </Field>
              <Field id="prev-step" label="Read its records after step" error={errors['source.step']}>
                <select {...described('prev-step', errors, 'source.step')} value={prevStep} onChange={(e) => setPrevStep(e.target.value as StepName)}>
                  {ORDER.slice(0, -1).map((s) => <option key={s} value={s}>{s}</option>)}
                </select>
              </Field>
            </div>
          )}
        </fieldset>

        <fieldset data-invalid={errors.steps ? 'true' : undefined} aria-describedby={errors.steps ? 'steps-error' : undefined}>
          <legend>Steps</legend>
          <div className="checks">
            {available.map((s) => (
              <label key={s}>
                <input type="checkbox" checked={steps.includes(s)} onChange={() => toggleStep(s)} disabled={s === 'transform-external' && !!xsltFile} /> {s}
              </label>
            ))}
            <label>
              <input type="checkbox" checked={linkcheck} onChange={() => setLinkcheck(!linkcheck)} /> linkcheck
            </label>
          </div>
          <p className="hint muted" style={{ fontSize: 12.5 }}>In Metis's order, without a gap. A provider XSLT adds transform-external after harvest.</p>
          {errors.steps && <p className="form-error" id="steps-error" role="alert">{errors.steps}</p>}
        </fieldset>

        <fieldset>
          <legend>Parameters</legend>
          <div className="row" style={{ alignItems: 'flex-start' }}>
            <Field id="xslt" label="Provider XSLT (optional)" hint="turns the provider's XML into EDM external" error={errors.externalXslt ?? errors['params.externalXslt']}>
              <input {...described('xslt', errors, 'externalXslt', true)} type="file" accept=".xsl,.xslt,.xml" onChange={(e) => setXsltFile(e.target.files?.[0] ?? null)} />
            </Field>
            <Field id="media-mode" label="Media processing" error={errors['params.mediaMode']}>
              <select {...described('media-mode', errors, 'params.mediaMode')} value={mediaMode} onChange={(e) => setMediaMode(e.target.value as 'full' | 'reduced')}>
                <option value="full">full</option>
                <option value="reduced">reduced</option>
              </select>
            </Field>
            <Field id="record-limit" label="Record limit (optional)" error={errors['limits.recordLimit']}>
              <input {...described('record-limit', errors, 'limits.recordLimit')} inputMode="numeric" value={recordLimit} onChange={(e) => setRecordLimit(e.target.value.trim())} size={8} />
            </Field>
          </div>
          <div className="checks">
            <label><input type="checkbox" checked={incremental} onChange={() => setIncremental(!incremental)} /> incremental harvest (skip unchanged records)</label>
            <label><input type="checkbox" checked={detectDeleted} onChange={() => setDetectDeleted(!detectDeleted)} /> detect records deleted at the source</label>
          </div>
        </fieldset>
        {Object.keys(errors).length > 0 && !serverError && <p className="form-error" role="alert">Some fields need a fix (marked above).</p>}
        <ErrorNotice error={serverError} />
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Submitting…' : 'Submit task'}</button>
      </form>
    </>
  );
}
