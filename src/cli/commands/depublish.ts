/**
 * `metis-streams depublish --dataset-id ID --reason REASON [--record-ids ID,…]`: removes a dataset, or
 * some of its records, from the publish index, leaving tombstones with Metis's depublication reason
 * (metis-steps.md §12). On Kafka (the default) it is submitted to the workers and its id printed; with
 * `--data-dir` it runs in this process on run's embedded database (where run published), with progress
 * and summary.
 */
import type { CommandContext } from '../command-context.ts';
import { UsageError } from '../config/usage-error.ts';
import { withKafkaService } from '../kafka-service.ts';
import { checkSpec } from '../task-spec.ts';
import { runHere } from './run.ts';

/** A Europeana id has at most 255 characters (edm/ids.ts); a longer one cannot name a record. */
const MAX_RECORD_ID = 255;

export default async function depublish(ctx: CommandContext): Promise<number> {
  const { config: c, sources, stdout } = ctx;
  if (!c.datasetId)
    throw new UsageError('give --dataset-id ID (the dataset to depublish, or whose records to depublish)');
  if (!c.reason)
    throw new UsageError(
      'give --reason REASON (one of BROKEN_MEDIA_LINKS, GDPR, PERMISSION_ISSUES, SENSITIVE_CONTENT, REMOVED_DATA_AT_SOURCE, GENERIC, LEGACY)',
    );
  // Record ids may be given as Metis's full ids (/dataset/local) or as the dataset's local ids.
  const recordIds = c.recordIds?.map((id) => (id.startsWith('/') ? id : `/${c.datasetId}/${id}`));
  const tooLong = recordIds?.find((id) => id.length > MAX_RECORD_ID);
  if (tooLong)
    throw new UsageError(
      `--record-ids: an id of ${tooLong.length} characters (${tooLong.slice(0, 40)}…) is longer than the ${MAX_RECORD_ID} of a Europeana id`,
    );
  const spec = checkSpec({
    dataset: { id: c.datasetId, name: c.datasetName ?? c.datasetId },
    source: { type: 'depublish', reason: c.reason, ...(recordIds && { recordIds }) },
    steps: ['depublish'],
    limits: c.maxInFlight !== undefined ? { maxInFlight: c.maxInFlight } : {},
  });
  if (sources.dataDir !== 'default') return runHere(ctx, (service) => service.submit(spec));
  const task = await withKafkaService(c, (service) => service.submit(spec));
  stdout.write(`${task.taskId}\n`);
  return 0;
}
