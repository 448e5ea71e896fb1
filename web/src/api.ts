/**
 * The dashboard's client of the operator API (docs/API.md): typed fetches, the bearer token the operator
 * entered (kept in localStorage), errors with the API's code and field, and Server-Sent Events read over
 * fetch (EventSource cannot send an Authorization header).
 */
export type StepName =
  | 'harvest'
  | 'transform-external'
  | 'validate-external'
  | 'transform'
  | 'validate-internal'
  | 'normalize'
  | 'enrich'
  | 'media'
  | 'preview'
  | 'publish'
  | 'linkcheck'
  | 'depublish';
export type TaskState = 'queued' | 'harvesting' | 'processing' | 'completed' | 'failed' | 'cancelled';
export const LIVE_STATES: TaskState[] = ['queued', 'harvesting', 'processing'];
export type Status = 'success' | 'warn' | 'fail' | 'cancelled';

export interface StepProgress {
  step: StepName;
  success: number;
  warn: number;
  fail: number;
  cancelled: number;
  total: number;
  firstAt: string | null;
  lastAt: string | null;
  ratePerSecond: number | null;
  etaSeconds: number | null;
}
export interface Progress {
  taskId: string;
  state: TaskState;
  reason: string | null;
  expectedTotal: number | null;
  listingDone: boolean;
  processed: number;
  deletedAtSource: number;
  durationSeconds: number;
  steps: StepProgress[];
}
export interface TaskSpec {
  dataset: { id: string; name: string; country?: string; language?: string };
  source:
    | { type: 'oai'; url: string; metadataPrefix?: string; set?: string; from?: string; until?: string }
    | { type: 'archive'; url: string }
    | { type: 'previous'; taskId: string; step: StepName }
    | { type: 'depublish'; recordIds?: string[]; reason: string }
    | { type: 'seed'; executionName: string };
  steps?: StepName[];
  params?: {
    externalXslt?: string;
    transformXslt?: string;
    incremental?: boolean;
    detectDeleted?: boolean;
    mediaMode?: 'full' | 'reduced';
  };
  limits?: { recordLimit?: number; maxInFlight?: number };
}
export interface Task {
  taskId: string;
  datasetId: string;
  datasetName: string;
  state: TaskState;
  reason: string | null;
  plan: StepName[];
  spec: TaskSpec;
  origin: Record<string, unknown> | null;
  expectedTotal: number | null;
  listingDone: boolean;
  processed: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
export type TaskWithProgress = Task & { progress: Progress };
export interface Info {
  mode: 'embedded' | 'kafka';
  version: string;
  auth: { enabled: boolean; publicReads: boolean };
  role: 'viewer' | 'operator' | 'admin' | null;
  steps: StepName[];
  stepOrder: StepName[];
  depublicationReasons: { code: string; title: string }[];
  uploadLimitBytes: number;
}
export interface ErrorGroup {
  step: StepName;
  level: 'warn' | 'error';
  message: string;
  count: number;
  sampleIds: string[];
}
export interface ErrorReport {
  total: number;
  totalRecords: number;
  groups: ErrorGroup[];
  bySteps: { step: StepName; level: 'warn' | 'error'; groups: number; records: number }[];
}
export interface Tiers {
  total: number;
  content: Record<string, number>;
  metadata: Record<string, number>;
  matrix: { contentTier: string; metadataTier: string; count: number }[];
  tierZero: { content: { total: number; samples: string[] }; metadata: { total: number; samples: string[] } };
}
export interface Patterns {
  available: boolean;
  patterns: {
    id: string;
    title: string;
    severity: string;
    recordOccurrences: number;
    records: { recordId: string; occurrences: number }[];
  }[];
}
export interface RecordRow {
  recordId: string;
  status: Status;
  lastStep: StepName;
  steps: Partial<Record<StepName, Status>>;
  contentTier: string | null;
  metadataTier: string | null;
}
export interface RecordMessage {
  level: string;
  code?: string;
  message: string;
  detail?: unknown;
}
export interface RecordDetail {
  recordId: string;
  status: Status;
  lastStep: StepName;
  steps: { step: StepName; status: Status; messages: RecordMessage[]; hasContent: boolean; data: unknown }[];
  tiers: Record<string, unknown> | null;
  thumbnails: string[];
}
export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
  fromLine: number | null;
  toLine: number | null;
}
export interface RecordDiff {
  recordId: string;
  from: StepName;
  to: StepName;
  added: number;
  removed: number;
  unified: string;
  lines: DiffLine[];
}
export interface EngineInfo {
  mode: 'embedded' | 'kafka';
  topics: { name: string; partitions: number }[];
  groups: {
    groupId: string;
    state: string;
    members: { clientId: string; host: string; partitions: unknown }[];
    lag: number;
    lagByTopic: Record<string, number>;
  }[];
  workers: number;
}

const TOKEN_KEY = 'metis-streams.token';
export const getToken = (): string => localStorage.getItem(TOKEN_KEY) ?? '';
export function setToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** An answer of the API that is not 2xx, with its catalogue code and the field it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

function headers(extra?: Record<string, string>): Record<string, string> {
  const token = getToken();
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  let body: any;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = body?.error;
  throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.field, e?.issues ?? []);
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await check(await fetch(path, { headers: headers({ accept: 'application/json' }), signal }));
  return (await res.json()) as T;
}

export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  const res = await check(await fetch(path, { headers: headers(), signal }));
  return res.text();
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await check(
    await fetch(path, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify(body ?? {}),
    }),
  );
  return (await res.json()) as T;
}

export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const res = await check(await fetch(path, { method: 'POST', headers: headers({ accept: 'application/json' }), body: form }));
  return (await res.json()) as T;
}

/** Downloads a file the API serves (CSV/JSON report) with the token, as the browser's own download. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await check(await fetch(path, { headers: headers() }));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Reads a Server-Sent Events stream over fetch; calls onEvent for every event with its JSON data.
 * Reconnects after a dropped connection (1 s, then up to 10 s) until the signal aborts or onEvent
 * returns 'stop' (the stream's `end` event).
 */
export async function streamEvents(
  path: string,
  onEvent: (event: string, data: any) => 'stop' | void,
  signal: AbortSignal,
  onError?: (e: unknown) => void,
): Promise<void> {
  let delay = 1000;
  while (!signal.aborted) {
    try {
      const res = await check(await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal }));
      if (!res.body) throw new Error('no event stream body');
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value.replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = val;
            else if (field === 'data') data.push(val);
          }
          if (data.length === 0) continue;
          let parsed: unknown;
          try {
            parsed = JSON.parse(data.join('\n'));
          } catch {
            parsed = data.join('\n');
          }
          if (onEvent(event, parsed) === 'stop') {
            reader.cancel().catch(() => undefined);
            return;
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      onError?.(e);
      if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) return;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}
