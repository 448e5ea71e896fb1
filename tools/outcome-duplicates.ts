/**
 * Lists duplicated outcomes of a pipeline run: two committed events for one (task, step, record) on
 * the outcomes topic (read_committed, from the beginning to the end). Exits 1 when there are any.
 *
 *   node --import tsx tools/outcome-duplicates.ts <outcomes topic> [task id]
 *
 * Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092). The topic is `<prefix>.outcomes`
 * (`metis.outcomes` for a default deployment).
 */
import { describeDuplicates, scanOutcomes } from '../test/support/outcome-duplicates.ts';

const [topic, taskId] = process.argv.slice(2);
if (!topic) {
  process.stderr.write('usage: node --import tsx tools/outcome-duplicates.ts <outcomes topic> [task id]\n');
  process.exit(2);
}
const scan = await scanOutcomes(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', topic, { taskId });
process.stdout.write(`${topic}: ${scan.records} record outcomes, ${scan.taskEvents} task events, ${scan.duplicates.length} duplicated\n`);
if (scan.duplicates.length > 0) process.stdout.write(`${describeDuplicates(scan.duplicates)}\n`);
process.exit(scan.duplicates.length > 0 ? 1 : 0);
