/**
 * The harvest side of the pipeline:
 * - `IntakeProcessor` (tasks topic, keyed by task id): starts tasks. An OAI-PMH listing reads a few
 *   ListIdentifiers (or ListRecords) pages per `list` command (up to LIST_RECORDS_PER_COMMAND records
 *   or LIST_MS_PER_COMMAND; the first command one page, so records flow at once), then sends the
 *   next command back to its own topic with the resumption
 *   token: the listing streams (fetches start after the first pages) and a crashed worker resumes
 *   from the last committed command. Archives and earlier tasks' outputs are walked the same way:
 *   one `walk` command per page of at most `intakePageSize` records, carrying the position (entries
 *   walked; the last record id for stored outputs), so no transaction holds a whole dataset. The open
 *   archive is kept between the pages of a task; after a crash or a rebalance it is read again up to
 *   the position of the last committed page. Depublications are done in one go.
 * - `FetchProcessor` (fetch topic, keyed by OAI identifier so one dataset spreads over partitions):
 *   GetRecord with many requests in flight, Europeana id, incremental-harvest skip.
 * - `AdmitProcessor` (admit topic, keyed by record id): duplicate detection (two source records with
 *   one Europeana id), then the record enters its plan's first step. The ids it remembers are pruned
 *   when their task has ended (tombstones in the store's changelog), so the store and the time to
 *   restore it follow the tasks in progress, not every task ever run.
 */
import { createHash } from 'node:crypto';
import {
  StreamRecord,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type RecordContext,
} from '../engine/index.ts';
import type { StepMessage, StepOutcome } from '../steps/outcome.ts';
import type { ListingProgress } from '../steps/harvest/oai/oai-client.ts';
import { isTaskError } from '../errors/index.ts';
import { failTask } from './task-failure.ts';
import type { TaskRow } from '../store/pipeline-store.ts';
import { isTransient, throwIfServerGone, waitOut } from './transient.ts';
import { packContent, unpackContent, type PipelineContext } from './context.ts';
import type { Envelope, FetchCommand, OutcomeEvent, TaskCommand } from '../model/index.ts';
import type { ArchiveEntry } from './ports/port-types.ts';
import { emit, recordEvent, ROUTE } from './routes.ts';
import { warmTaskSteps, warmTaskStepsById } from './step-warmup.ts';

function taskEvent(
  taskId: string,
  event: 'listing-started' | 'expected' | 'listing-done' | 'failed' | 'cancelled',
  extra: { expected?: number; reason?: string } = {},
): OutcomeEvent {
  return { kind: 'task', taskId, event, ...extra };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An archive being walked: its open entry iterator and how many entries it has yielded. */
interface ArchiveWalk {
  position: number;
  entries: AsyncIterator<ArchiveEntry>;
  abort: AbortController;
}

/** Open archive walks kept per intake task (one per dataset being harvested from an archive). */
const MAX_OPEN_WALKS = 8;

/** A `list` command reads OAI pages until it has listed this many records or spent this long. */
export const LIST_RECORDS_PER_COMMAND = 1000;
export const LIST_MS_PER_COMMAND = 1000;

export class IntakeProcessor implements Processor<string, TaskCommand, string, unknown> {
  private readonly walks = new Map<string, ArchiveWalk>();
  constructor(private readonly p: PipelineContext) {}

  close(): void {
    for (const taskId of [...this.walks.keys()]) this.dropWalk(taskId);
  }

  async process(record: StreamRecord<string, TaskCommand>, ctx: RecordContext<string, unknown>): Promise<void> {
    const cmd = record.value;
    const task = await this.p.tasks.get(cmd.taskId);
    if (!task) {
      this.p.logger.warn({ taskId: cmd.taskId }, 'task command for an unknown task: dropped');
      return;
    }
    if (cmd.type === 'cancel') {
      emit(ctx, ROUTE.outcomes, task.taskId, taskEvent(task.taskId, 'cancelled', { reason: 'Cancelled by user' }));
      return;
    }
    if (await this.p.tasks.isStopped(task.taskId)) {
      this.dropWalk(task.taskId);
      return;
    }
    try {
      if (cmd.type === 'start') await this.start(task, ctx);
      else if (cmd.type === 'walk') await this.walkPage(task, cmd.emitted, cmd.after, ctx);
      else await this.listPage(task, cmd.token, cmd.emitted, ctx, cmd.progress);
    } catch (err) {
      this.dropWalk(task.taskId);
      // Abandoned (revoked, rewound): nothing of it is committed; the command is processed again.
      if (ctx.signal.aborted) return;
      // A task-level failure (unreachable endpoint, bad archive, OAI error): the task fails, the worker goes on.
      if (isTaskError(err)) failTask(this.p, ctx, task.taskId, err.message, err.code);
      else failTask(this.p, ctx, task.taskId, `Harvest failed: ${describe(err)}`);
    }
  }

  private async start(task: TaskRow, ctx: RecordContext<string, unknown>): Promise<void> {
    const source = task.spec.source;
    // The step threads build the task's steps while it is being listed, not when its first record comes.
    warmTaskSteps(this.p, task);
    emit(ctx, ROUTE.outcomes, task.taskId, taskEvent(task.taskId, 'listing-started'));
    if (source.type === 'oai') {
      emit(ctx, ROUTE.tasks, task.taskId, { type: 'list', taskId: task.taskId, emitted: 0 } satisfies TaskCommand);
    } else if (source.type === 'archive' || source.type === 'previous') {
      emit(ctx, ROUTE.tasks, task.taskId, { type: 'walk', taskId: task.taskId, emitted: 0 } satisfies TaskCommand);
    } else if (source.type === 'depublish') {
      const outcomes = await this.p.ports.depublish.depublish(task.datasetId, source.recordIds, source.reason);
      for (const o of outcomes)
        emit(ctx, ROUTE.outcomes, o.recordId, recordEvent(task.taskId, 'depublish', o, true, null));
      emit(ctx, ROUTE.outcomes, task.taskId, taskEvent(task.taskId, 'listing-done', { expected: outcomes.length }));
    }
    // 'seed' tasks have no listing: their records arrive one by one through the seed intake.
  }

  private async listPage(
    task: TaskRow,
    token: string | undefined,
    emitted: number,
    ctx: RecordContext<string, unknown>,
    progress?: ListingProgress,
  ): Promise<void> {
    const source = task.spec.source;
    if (source.type !== 'oai') return;
    const started = Date.now();
    const limit = task.spec.limits.recordLimit;
    let n = emitted;
    // Several pages per command (up to LIST_RECORDS_PER_COMMAND records or LIST_MS_PER_COMMAND): each
    // command is a hop through the tasks topic, which waits for a transaction commit, so one page per
    // command would cap the listing at one page per commit. A crash replays the command's pages.
    for (let first = token === undefined; ; first = false) {
      // `progress` bounds the listing across commands (token cycles, page and record caps): the port throws TaskError.
      const page = await this.p.limiter.run(
        source.url,
        () => this.p.ports.oai.listPage(source, token, ctx.signal, progress ?? { pages: 0, records: 0 }),
        ctx.signal,
      );
      if (first && page.completeListSize !== undefined) {
        emit(
          ctx,
          ROUTE.outcomes,
          task.taskId,
          taskEvent(task.taskId, 'expected', {
            expected: limit ? Math.min(limit, page.completeListSize) : page.completeListSize,
          }),
        );
      }
      for (const [i, h] of page.headers.entries()) {
        if (h.deleted) continue;
        if (this.reachedLimit(task, n)) break;
        if (this.finished(task, h.identifier)) {
          n++;
          continue;
        }
        const listed = page.records?.[i];
        // ListRecords: the page carries the record (no fetch hop, no GetRecord); else one fetch command each.
        if (listed && 'status' in listed)
          emit(
            ctx,
            ROUTE.outcomes,
            h.identifier,
            recordEvent(task.taskId, 'harvest', { ...listed, recordId: h.identifier }, true, null),
          );
        else if (listed) await harvested(this.p, task, listed.content, h.identifier, h.datestamp, ctx, listed.messages);
        else {
          const cmd: FetchCommand = { taskId: task.taskId, identifier: h.identifier, datestamp: h.datestamp, index: n };
          emit(ctx, ROUTE.fetch, h.identifier, cmd);
        }
        n++;
      }
      if (!page.token || this.reachedLimit(task, n)) {
        this.finishListing(task, n, ctx);
        return;
      }
      token = page.token;
      progress = page.progress;
      // The first command of a listing reads one page: its fetches become visible (and start) after
      // one OAI request instead of after up to LIST_MS_PER_COMMAND, so the first records flow sooner.
      if (
        first ||
        n - emitted >= LIST_RECORDS_PER_COMMAND ||
        Date.now() - started >= LIST_MS_PER_COMMAND ||
        ctx.signal.aborted
      )
        break;
    }
    emit(ctx, ROUTE.tasks, task.taskId, {
      type: 'list',
      taskId: task.taskId,
      token,
      emitted: n,
      ...(progress ? { progress } : {}),
    } satisfies TaskCommand);
  }

  /**
   * One page of an archive or of an earlier task's outputs: at most `intakePageSize` records from
   * `emitted` (`after` for stored outputs), then the next `walk` command, or the end of the listing.
   */
  private async walkPage(
    task: TaskRow,
    emitted: number,
    after: string | undefined,
    ctx: RecordContext<string, unknown>,
  ): Promise<void> {
    const source = task.spec.source;
    const end = emitted + this.p.options.intakePageSize;
    let n = emitted;
    let more = true;
    if (source.type === 'archive') {
      const walk = await this.archiveWalk(task.taskId, source.url, emitted);
      while (n < end) {
        if (this.reachedLimit(task, n) || ctx.signal.aborted) break;
        const next = await walk.entries.next();
        if (next.done) {
          more = false;
          break;
        }
        walk.position++;
        const entry = next.value;
        if (this.finished(task, entry.path)) {
          n++;
          continue;
        }
        if ('error' in entry) {
          // An entry that cannot be a record (too large, corrupt, bad bytes) fails alone; the others go on.
          const failed: StepOutcome = {
            status: 'fail',
            recordId: entry.path,
            messages: [{ level: 'error', code: entry.error.code, message: entry.error.message }],
          };
          emit(ctx, ROUTE.outcomes, entry.path, recordEvent(task.taskId, 'harvest', failed, true, null));
        } else await this.admitHarvested(task, entry.content, entry.path, undefined, ctx);
        n++;
      }
    } else if (source.type === 'previous') {
      more = false;
      for await (const r of this.p.store.storedOutputs(source.taskId, source.step, end - n, after ?? '')) {
        if (this.reachedLimit(task, n) || ctx.signal.aborted) break;
        if (!this.finished(task, r.recordId)) {
          const envelope: Envelope = {
            taskId: task.taskId,
            datasetId: task.datasetId,
            recordId: r.recordId,
            plan: task.plan,
            stepIndex: 0,
            sourceId: r.recordId,
            ...(await packContent(this.p, r.content)),
          };
          emit(ctx, ROUTE.admit, r.recordId, envelope);
        }
        after = r.recordId;
        n++;
        if (n >= end) {
          more = true;
          break;
        }
      }
    } else return;
    // Abandoned (the task was revoked or rewound): this page is not committed, its command comes again.
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
    if (more && !this.reachedLimit(task, n)) {
      emit(ctx, ROUTE.tasks, task.taskId, {
        type: 'walk',
        taskId: task.taskId,
        emitted: n,
        ...(after !== undefined ? { after } : {}),
      } satisfies TaskCommand);
      return;
    }
    this.dropWalk(task.taskId);
    this.finishListing(task, n, ctx, source.type === 'archive');
  }

  /**
   * The task's open archive if it stands at `emitted` (the page before was walked here), else the
   * archive opened again and read up to `emitted` (a crash, a rebalance, or a page that was replayed).
   */
  private async archiveWalk(taskId: string, url: string, emitted: number): Promise<ArchiveWalk> {
    const open = this.walks.get(taskId);
    if (open?.position === emitted) return open;
    this.dropWalk(taskId);
    if (this.walks.size >= MAX_OPEN_WALKS) this.dropWalk(this.walks.keys().next().value!);
    const abort = new AbortController();
    const walk: ArchiveWalk = {
      position: 0,
      entries: this.p.ports.archive.entries(url, abort.signal)[Symbol.asyncIterator](),
      abort,
    };
    this.walks.set(taskId, walk);
    while (walk.position < emitted) {
      if ((await walk.entries.next()).done) break;
      walk.position++;
    }
    return walk;
  }

  private dropWalk(taskId: string): void {
    const walk = this.walks.get(taskId);
    if (!walk) return;
    this.walks.delete(taskId);
    walk.abort.abort();
    void walk.entries.return?.().catch(() => undefined);
  }

  private finishListing(task: TaskRow, n: number, ctx: RecordContext<string, unknown>, emptyFails = true): void {
    if (n === 0 && emptyFails) {
      emit(ctx, ROUTE.outcomes, task.taskId, taskEvent(task.taskId, 'failed', { reason: 'Harvest found no records' }));
      return;
    }
    emit(ctx, ROUTE.outcomes, task.taskId, taskEvent(task.taskId, 'listing-done', { expected: n }));
  }

  /** A resumed task's record that already has a final outcome: counted in the listing, not harvested again. */
  private finished(task: TaskRow, sourceId: string): boolean {
    return this.p.finished?.get(task.taskId)?.has(sourceId) === true;
  }

  private reachedLimit(task: TaskRow, n: number): boolean {
    const limit = task.spec.limits.recordLimit;
    return limit !== undefined && n >= limit;
  }

  /** A harvested record: its harvest outcome, then (unless it failed or is unchanged) on to admission. */
  async admitHarvested(
    task: TaskRow,
    content: string,
    sourceId: string,
    datestamp: string | undefined,
    ctx: RecordContext<string, unknown>,
  ): Promise<void> {
    await harvested(this.p, task, content, sourceId, datestamp, ctx);
  }
}

/** Shared by archive intake and OAI fetch: id, incremental skip, harvest outcome, admission. */
async function harvested(
  p: PipelineContext,
  task: TaskRow,
  content: string,
  sourceId: string,
  datestamp: string | undefined,
  ctx: RecordContext<string, unknown>,
  warnings: StepMessage[] = [],
): Promise<void> {
  const id = p.ports.steps.recordId(task.datasetId, content, sourceId);
  if (typeof id !== 'string') {
    emit(ctx, ROUTE.outcomes, sourceId, recordEvent(task.taskId, 'harvest', { ...id, recordId: sourceId }, true, null));
    return;
  }
  const checksum = createHash('sha256').update(content).digest('hex');
  if (task.spec.params.incremental && (await p.store.isUnchanged(task.datasetId, id, checksum))) {
    const skipped: StepOutcome = {
      status: 'success',
      recordId: id,
      messages: [{ level: 'info', code: 'UNCHANGED', message: 'Unchanged since the last harvest: skipped' }],
      data: { unchanged: true, checksum, datestamp },
    };
    emit(ctx, ROUTE.outcomes, id, recordEvent(task.taskId, 'harvest', skipped, true, null));
    return;
  }
  const outcome: StepOutcome = {
    // Warnings of the fetch (e.g. GetRecord answered another identifier) stay on the record.
    status: warnings.some((m) => m.level === 'warn') ? 'warn' : 'success',
    recordId: id,
    messages: warnings,
    data: { checksum, datestamp, sourceId },
  };
  // Admission writes the harvest outcome: it alone decides which of two source records that map to
  // one Europeana id is first, so a duplicate never overwrites the first record's harvest row.
  const envelope: Envelope = {
    taskId: task.taskId,
    datasetId: task.datasetId,
    recordId: id,
    plan: task.plan,
    stepIndex: 1,
    sourceId,
    harvest: { status: outcome.status === 'warn' ? 'warn' : 'success', messages: warnings, data: outcome.data ?? {} },
    ...(await packContent(p, content)),
  };
  emit(ctx, ROUTE.admit, id, envelope);
}

export class FetchProcessor implements Processor<string, FetchCommand, string, unknown> {
  constructor(private readonly p: PipelineContext) {}

  async process(record: StreamRecord<string, FetchCommand>, ctx: RecordContext<string, unknown>): Promise<void> {
    const cmd = record.value;
    const task = await this.p.tasks.get(cmd.taskId);
    if (!task) return;
    if (await this.p.tasks.isStopped(cmd.taskId)) {
      // Skipped: counted as cancelled, as a step does (a seed execution gets its exception row).
      const skipped = { status: 'cancelled' as const, recordId: cmd.identifier, messages: [], content: null };
      emit(ctx, ROUTE.outcomes, cmd.identifier, { kind: 'record', taskId: cmd.taskId, step: 'harvest', terminal: true, ...skipped });
      return;
    }
    const source = task.spec.source;
    if (source.type !== 'oai') return;
    // On a worker that did not take the task's start command: build its steps while this record is fetched.
    warmTaskSteps(this.p, task);
    let result: Awaited<ReturnType<typeof this.p.ports.oai.getRecord>>;
    try {
      result = await this.p.slots.run(task.taskId, task.spec.limits.maxInFlight, () =>
        this.p.limiter.run(
          source.url,
          // The provider's server gone (refused, reset, 5xx after the client's tries) is waited out
          // within the retry budget, then fails the task (RETRY_BUDGET_SPENT), never the record.
          () =>
            waitOut(
              this.p,
              async () => throwIfServerGone(await this.p.ports.oai.getRecord(source, cmd.identifier, ctx.signal)),
              { what: `GetRecord ${cmd.identifier}`, signal: ctx.signal, isTransient },
            ),
          ctx.signal,
        ),
      );
    } catch (err) {
      // A bad harvest setup (e.g. invalid parameters) fails the task once, not every fetch.
      if (!isTaskError(err)) throw err;
      failTask(this.p, ctx, task.taskId, err.message, err.code);
      return;
    }
    if ('status' in result) {
      emit(
        ctx,
        ROUTE.outcomes,
        cmd.identifier,
        recordEvent(task.taskId, 'harvest', { ...result, recordId: cmd.identifier }, true, null),
      );
      return;
    }
    await harvested(this.p, task, result.content, cmd.identifier, cmd.datestamp, ctx, result.messages);
  }
}

const ENDED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

/** Inputs dropped as redeliveries since the process started (AdmitProcessor, SeedIntakeProcessor). */
export const intakeMetrics = { redeliveriesDropped: 0 };

/** Admission: refuses a second source record with an already-seen Europeana id in the same task. */
export class AdmitProcessor implements Processor<string, Envelope, string, unknown> {
  private seen!: KeyValueStore<string, string>;
  private pruning = false;
  constructor(
    private readonly p: PipelineContext,
    private readonly storeName: string,
  ) {}

  init(ctx: ProcessorContext<string, unknown>): void {
    this.seen = ctx.getStateStore<string, string>(this.storeName);
    ctx.schedule(this.p.options.admitPruneIntervalMs, 'wall-clock', () => void this.prune(ctx.signal));
  }

  /**
   * Forgets the ids of tasks that have ended (completed, failed, cancelled, or gone): each delete is a
   * tombstone in the changelog, so compaction drops them and a restore no longer replays them. A task
   * that ended gets no new records, so nothing it could still refuse as a duplicate is lost.
   */
  async prune(signal?: AbortSignal): Promise<number> {
    if (this.pruning) return 0;
    this.pruning = true;
    try {
      const byTask = new Map<string, string[]>();
      for (const [key] of this.seen.entries()) {
        const taskId = key.slice(0, key.indexOf('|'));
        const keys = byTask.get(taskId);
        if (keys) keys.push(key);
        else byTask.set(taskId, [key]);
      }
      if (byTask.size === 0) return 0;
      const states = await this.p.store.taskStates([...byTask.keys()]);
      if (signal?.aborted) return 0;
      let removed = 0;
      for (const [taskId, keys] of byTask) {
        const state = states.get(taskId);
        if (state !== undefined && !ENDED.has(state)) continue;
        for (const key of keys) this.seen.delete(key);
        removed += keys.length;
      }
      if (removed > 0) this.p.logger.info({ removed, kept: this.seen.size }, 'admitted ids of ended tasks pruned');
      return removed;
    } catch (err) {
      this.p.logger.warn({ err }, 'pruning admitted ids failed; tried again later');
      return 0;
    } finally {
      this.pruning = false;
    }
  }

  async process(record: StreamRecord<string, Envelope>, ctx: RecordContext<string, unknown>): Promise<void> {
    const e = record.value;
    warmTaskStepsById(this.p, e.taskId);
    // A freshly harvested record (it carries its harvest outcome) is refused at harvest; one that
    // enters later in the chain (re-run, seed) at the step it enters.
    const step = e.harvest ? 'harvest' : e.plan[e.stepIndex];
    const key = `${e.taskId}|${e.recordId}`;
    const first = this.seen.get(key);
    const source = e.sourceId ?? e.recordId;
    if (first !== undefined && first !== source) {
      const dup: StepOutcome = {
        status: 'fail',
        // Reported under the source's own id: the Europeana id's rows belong to the first record.
        recordId: source,
        messages: [
          {
            level: 'error',
            code: 'DUPLICATE_RECORD_ID',
            message: `Duplicate record id ${e.recordId}: source records ${first} and ${source} map to it`,
          },
        ],
      };
      emit(ctx, ROUTE.outcomes, `${e.recordId}#${source}`, recordEvent(e.taskId, step, dup, true, null));
      return;
    }
    if (first !== undefined && !e.harvest) {
      // The same input admitted twice in one task: a seed row whose change event Debezium sent again
      // (at-least-once: after a Kafka Connect restart it resumes from its last flushed source offset).
      // The record is already on its way; running it again would emit a second outcome per step.
      // Under exactly-once nothing else repeats a committed input (an aborted one rolls the store back).
      intakeMetrics.redeliveriesDropped++;
      this.p.logger.warn({ taskId: e.taskId, recordId: e.recordId, total: intakeMetrics.redeliveriesDropped }, 'admission dropped a redelivered input');
      return;
    }
    if (first === undefined) this.seen.put(key, source);
    if (e.harvest) {
      const { harvest, ...rest } = e;
      const last = e.stepIndex >= e.plan.length;
      const outcome: StepOutcome = { ...harvest, recordId: e.recordId };
      emit(
        ctx,
        ROUTE.outcomes,
        e.recordId,
        recordEvent(e.taskId, 'harvest', outcome, last, await unpackContent(this.p, e)),
      );
      if (last) return;
      emit(ctx, ROUTE.steps, e.recordId, rest);
      return;
    }
    emit(ctx, ROUTE.steps, e.recordId, e);
  }
}
