/**
 * One task signal, many OAI requests: a harvest lists page by page and fetches every page's records
 * concurrently (as the pipeline's harvest processors do, through the per-host limiter), all with
 * the task's one AbortSignal. No MaxListenersExceededWarning may be printed (it used to be, on every
 * run: one `abort` listener per request in flight and per queued limiter waiter), the signal holds
 * at most one listener at any time, and aborting it still stops every request with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createOaiClient } from '../../src/steps/harvest/oai/oai-client.ts';
import { linkedCount } from '../../src/steps/http/linked-signal.ts';
import { HostLimiter } from '../../src/pipeline/host-limiter.ts';
import { startOaiTestServer } from '../support/oai-server.ts';

/** Collects the process warnings emitted while `fn` runs (and one turn after it, where they land). */
async function warningsDuring(fn: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error) => seen.push(w);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

test('a 12-page listing with 32 record fetches in flight on one task signal: no MaxListenersExceededWarning, at most one listener', async () => {
  const oai = await startOaiTestServer({
    size: 240,
    pageSize: 20,
    latencyMs: 5,
    // A few GetRecord answers fail once, so retries (and their waits) share the signal too.
    fault: (r) => (r.verb === 'GetRecord' && r.verbSeq % 37 === 0 ? { status: 503, retryAfter: '0' } : undefined),
  });
  const client = createOaiClient({ retries: 2, retryDelayMs: 1 });
  const limiter = new HostLimiter({ maxConcurrent: 32, ratePerSecond: 100_000 });
  const task = new AbortController();
  const signal = task.signal;
  const endpoint = { baseUrl: oai.url, metadataPrefix: 'edm' };
  let mostListeners = 0;
  const sample = () => (mostListeners = Math.max(mostListeners, getEventListeners(signal, 'abort').length));
  let pages = 0;
  let fetched = 0;
  try {
    const warnings = await warningsDuring(async () => {
      let token: string | undefined;
      do {
        const page = await limiter.run(oai.url, () => client.listPage(endpoint, token, signal), signal);
        pages++;
        // Every record of the page at once: up to 32 in flight, the rest queued in the limiter.
        const outcomes = await Promise.all(
          page.headers.map((h) =>
            limiter.run(
              oai.url,
              async () => {
                sample();
                const o = await client.fetchRecord(endpoint, h.identifier, signal);
                sample();
                return o;
              },
              signal,
            ),
          ),
        );
        fetched += outcomes.filter((o) => o.status === 'success').length;
        token = page.resumptionToken;
      } while (token);
    });
    assert.equal(pages, 12);
    assert.equal(fetched, 240);
    assert.ok(oai.stats.maxConcurrent > 10, `requests overlapped (${oai.stats.maxConcurrent} at once)`);
    const leaks = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
    assert.deepEqual(
      leaks.map((w) => w.message),
      [],
    );
    assert.ok(mostListeners <= 1, `the task signal held ${mostListeners} abort listeners at once`);
    assert.equal(linkedCount(signal), 0, 'every request dropped its link when it settled');
  } finally {
    await client.close();
    await oai.close();
  }
});

test('aborting the shared task signal stops in-flight fetches and queued limiter waiters with its reason', async () => {
  const oai = await startOaiTestServer({ size: 64, pageSize: 64, latencyMs: 2_000 });
  const client = createOaiClient({ retries: 0 });
  const limiter = new HostLimiter({ maxConcurrent: 8, ratePerSecond: 100_000 });
  const task = new AbortController();
  const endpoint = { baseUrl: oai.url, metadataPrefix: 'edm' };
  const reason = new Error('task cancelled');
  try {
    const runs = Array.from({ length: 40 }, (_, i) =>
      limiter.run(
        oai.url,
        () => client.fetchRecord(endpoint, `oai:demo.metis-streams:record-${i}`, task.signal),
        task.signal,
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(linkedCount(task.signal), 40, '8 requests in flight + 32 queued waiters follow the signal');
    const t0 = performance.now();
    task.abort(reason);
    const settled = await Promise.allSettled(runs);
    assert.ok(performance.now() - t0 < 1_000, 'the abort did not wait for the slow answers');
    assert.ok(settled.every((s) => s.status === 'rejected' && s.reason === reason));
    assert.equal(linkedCount(task.signal), 0);
  } finally {
    await client.close();
    await oai.close();
  }
});
