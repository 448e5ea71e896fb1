/**
 * The pipeline's store, one object for the workers and the CLI: a thin facade over the task
 * repository, the outcome writer (the exactly-once sink), the task reports, the payload store and
 * the harvest memory. Each keeps its SQL in one catalogue under `sql/`; new code may use the parts
 * (`store.tasks`, `store.outcomes`, ...) directly. The methods below only delegate.
 */
import type { Db } from './db.ts';
import { HarvestMemory } from './harvest-memory.ts';
import { migrate } from './migrate.ts';
import { OutcomeWriter } from './outcome-writer.ts';
import { PayloadStore } from './payload-store.ts';
import { pipelineMigrations } from './pipeline-schema.ts';
import * as RESUME from './sql/resume.sql.ts';
import { SeedResults } from './seed-results.ts';
import { TaskReports } from './task-reports.ts';
import { TaskRepository } from './task-repository.ts';

export type { TaskOrigin, TaskRow } from './task-repository.ts';
export type { ErrorGroup, StepProgress, StoredResult, TierCount } from './task-reports.ts';
export { SinkFencedError, type OffsetMove, type SinkOffset } from './outcome-writer.ts';

type Args<T extends (...args: never[]) => unknown> = Parameters<T>;

export class PipelineStore {
  readonly tasks: TaskRepository;
  readonly outcomes: OutcomeWriter;
  readonly reports: TaskReports;
  readonly payloads: PayloadStore;
  readonly harvest: HarvestMemory;

  constructor(readonly db: Db) {
    this.tasks = new TaskRepository(db);
    this.harvest = new HarvestMemory(db);
    this.outcomes = new OutcomeWriter(db, this.tasks, this.harvest, new SeedResults(this.tasks));
    this.reports = new TaskReports(db, this.tasks);
    this.payloads = new PayloadStore(db);
  }

  async migrate(): Promise<void> {
    await migrate(this.db, pipelineMigrations);
  }

  /** Resuming `taskId`: the source ids of its records that already reached a final outcome. */
  async finishedSources(taskId: string, lastStep: string): Promise<Set<string>> {
    const r = await this.db.query<{ source_id: string }>(RESUME.finishedSources, [taskId, lastStep]);
    return new Set(r.rows.map((x) => x.source_id));
  }

  // ---- tasks ----
  createTask(...a: Args<TaskRepository['createTask']>) {
    return this.tasks.createTask(...a);
  }
  getTask(...a: Args<TaskRepository['getTask']>) {
    return this.tasks.getTask(...a);
  }
  listTasks(...a: Args<TaskRepository['listTasks']>) {
    return this.tasks.listTasks(...a);
  }
  taskStates(...a: Args<TaskRepository['taskStates']>) {
    return this.tasks.taskStates(...a);
  }
  transition(...a: Args<TaskRepository['transition']>) {
    return this.tasks.transition(...a);
  }
  seedExecutionDropped(...a: Args<TaskRepository['seedExecutionDropped']>) {
    return this.tasks.seedExecutionDropped(...a);
  }
  expectSeedRows(...a: Args<TaskRepository['expectSeedRows']>) {
    return this.tasks.expectSeedRows(...a);
  }
  cancelDroppedSeedTasks() {
    return this.tasks.cancelDroppedSeedTasks();
  }

  // ---- the exactly-once sink ----
  loadOffset(...a: Args<OutcomeWriter['loadOffset']>) {
    return this.outcomes.loadOffset(...a);
  }
  applyOutcomes(...a: Args<OutcomeWriter['applyOutcomes']>) {
    return this.outcomes.applyOutcomes(...a);
  }
  writeOutcomes(...a: Args<OutcomeWriter['writeOutcomes']>) {
    return this.outcomes.writeOutcomes(...a);
  }

  // ---- reports ----
  progress(...a: Args<TaskReports['progress']>) {
    return this.reports.progress(...a);
  }
  errorReport(...a: Args<TaskReports['errorReport']>) {
    return this.reports.errorReport(...a);
  }
  tierStats(...a: Args<TaskReports['tierStats']>) {
    return this.reports.tierStats(...a);
  }
  recordResult(...a: Args<TaskReports['recordResult']>) {
    return this.reports.recordResult(...a);
  }
  storedOutputs(...a: Args<TaskReports['storedOutputs']>) {
    return this.reports.storedOutputs(...a);
  }

  // ---- large payloads and the harvest memory ----
  putPayload(...a: Args<PayloadStore['putPayload']>) {
    return this.payloads.putPayload(...a);
  }
  getPayload(...a: Args<PayloadStore['getPayload']>) {
    return this.payloads.getPayload(...a);
  }
  isUnchanged(...a: Args<HarvestMemory['isUnchanged']>) {
    return this.harvest.isUnchanged(...a);
  }
  rememberHarvested(...a: Args<HarvestMemory['rememberHarvested']>) {
    return this.harvest.rememberHarvested(...a);
  }
  takeRecordsGoneFromSource(...a: Args<HarvestMemory['takeRecordsGoneFromSource']>) {
    return this.harvest.takeRecordsGoneFromSource(...a);
  }
}
