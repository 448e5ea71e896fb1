/**
 * A generated sink batch with values PostgreSQL refuses or that overflow an index row: a NUL in a
 * record's content (refused: 22021), a failed record whose id is a 10 KB OAI identifier, a NUL and a
 * lone surrogate in a message, a 2,000-character CJK error message, between ordinary records.
 */
import type { OutcomeEvent, RecordOutcomeEvent } from '../../../src/model/index.ts';
import { randomChars, seeded } from './dbkeys-records.ts';

export function refusedBatch(taskId: string) {
  const record = (recordId: string, over: Partial<RecordOutcomeEvent> = {}): RecordOutcomeEvent => ({
    kind: 'record',
    taskId,
    recordId,
    step: 'harvest',
    status: 'success',
    messages: [],
    content: `<rdf:RDF>${recordId}</rdf:RDF>`,
    terminal: true,
    ...over,
  });
  const good = ['/9201/a', '/9201/b', '/9201/c', '/9201/d'];
  const nulContent = '/9201/nul';
  const longFailed = `oai:hostile:${randomChars(10_240, 11)}`;
  // Random CJK ideographs (3 UTF-8 bytes each, barely compressible): 6,000 bytes, over a b-tree row.
  const next = seeded(13);
  const cjkMessage = Array.from({ length: 2_000 }, () =>
    String.fromCharCode(0x4e00 + Math.floor(next() * 0x5000)),
  ).join('');
  const fail = (code: string, message: string) => ({
    status: 'fail' as const,
    content: null,
    messages: [{ level: 'error' as const, code, message }],
  });
  const records: OutcomeEvent[] = [
    record(good[0]),
    record(nulContent, { content: '<rdf:RDF>a\u0000b</rdf:RDF>' }),
    record(good[1]),
    record(longFailed, fail('XML_PARSE', cjkMessage)),
    record(good[2], {
      status: 'warn',
      messages: [{ level: 'warn', code: 'X', message: 'bad byte \u0000 and \ud800 here' }],
    }),
    record(good[3]),
    record('/9201/e', fail('NO_PROVIDER_ID', 'Could not find provider ID in source.')),
  ];
  const listing: OutcomeEvent[] = [
    { kind: 'task', taskId, event: 'listing-started' },
    { kind: 'task', taskId, event: 'listing-done', expected: records.length },
  ];
  return { listing, records, expected: records.length, cjkMessage, ids: { good, nulContent, longFailed } };
}
