/**
 * retry(): bounded tries, exponential back-off with full jitter, Retry-After style delays, only
 * retriable errors retried, AbortSignal honoured. Delays are recorded by an injected sleep, so no
 * test waits on real time (one test checks the real timer with a 1 ms delay).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, isRetriable, isTransientDbError, retry } from '../../src/errors/index.ts';

function recorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

test('retries a retriable error until it succeeds; delays double under full jitter, capped', async () => {
  const r = recorder();
  let calls = 0;
  const value = await retry(
    async (attempt) => {
      calls++;
      assert.equal(attempt, calls);
      if (calls < 5) throw errors.NETWORK({ url: 'http://x/', detail: 'reset' });
      return 'ok';
    },
    { retries: 5, baseDelayMs: 100, maxDelayMs: 500, sleep: r.sleep, random: () => 0.999 },
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 5);
  // random()≈1: the ceilings themselves, 100·2^n capped at 500.
  assert.deepEqual(r.delays, [100, 200, 400, 500]);
});

test('full jitter: each delay is random() times its ceiling', async () => {
  const r = recorder();
  const randoms = [0.5, 0.25, 0];
  await assert.rejects(
    retry(async () => Promise.reject(errors.TIMEOUT({ url: 'u', detail: 'slow' })), {
      retries: 3,
      baseDelayMs: 1000,
      sleep: r.sleep,
      random: () => randoms.shift() ?? 0,
    }),
    /Timeout while fetching u: slow/,
  );
  assert.deepEqual(r.delays, [500, 500, 0]);
});

test('gives up after `retries` extra tries with the last error', async () => {
  const r = recorder();
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw errors.DB_TRANSIENT({ detail: `try ${calls}` });
      },
      { retries: 2, baseDelayMs: 10, sleep: r.sleep },
    ),
    (e: unknown) => e instanceof Error && e.message === 'Database error (transient): try 3',
  );
  assert.equal(calls, 3);
  assert.equal(r.delays.length, 2);
});

test('does not retry an error that is not retriable', async () => {
  const r = recorder();
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw errors.XSLT_COMPILE({ detail: 'bad' });
      },
      { retries: 5, baseDelayMs: 10, sleep: r.sleep },
    ),
    /XSLT does not compile/,
  );
  assert.equal(calls, 1);
  assert.deepEqual(r.delays, []);
});

test('a custom isRetriable and a delay asked by the error (Retry-After), capped by maxDelayMs', async () => {
  const r = recorder();
  const events: number[] = [];
  let calls = 0;
  await retry(
    async () => {
      if (++calls < 3) throw Object.assign(new Error('busy'), { retryAfterMs: calls === 1 ? 2000 : 60_000 });
    },
    {
      retries: 3,
      baseDelayMs: 1,
      maxDelayMs: 10_000,
      isRetriable: () => true,
      delayFor: (e) => (e as { retryAfterMs?: number }).retryAfterMs,
      onRetry: (e) => events.push(e.attempt),
      sleep: r.sleep,
    },
  );
  assert.deepEqual(r.delays, [2000, 10_000]);
  assert.deepEqual(events, [1, 2]);
});

test('an abort stops the waiting and the tries with the signal reason', async () => {
  const ac = new AbortController();
  let calls = 0;
  const run = retry(
    async () => {
      calls++;
      throw errors.NETWORK({ url: 'u', detail: 'down' });
    },
    { retries: 10, baseDelayMs: 60_000, random: () => 1, signal: ac.signal },
  );
  setImmediate(() => ac.abort(new Error('stopped')));
  await assert.rejects(run, /stopped/);
  assert.equal(calls, 1);
  // Already aborted: not even one try.
  await assert.rejects(
    retry(async () => calls++, { retries: 1, baseDelayMs: 1, signal: AbortSignal.abort(new Error('gone')) }),
    /gone/,
  );
  assert.equal(calls, 1);
});

test('the real timer waits between tries', async () => {
  let calls = 0;
  const value = await retry(
    async () => (++calls < 3 ? Promise.reject(errors.NETWORK({ url: 'u', detail: 'x' })) : calls),
    { retries: 2, baseDelayMs: 1 },
  );
  assert.equal(value, 3);
});

test('isRetriable: catalogue flag, transient network codes (also as a cause), transient SQLSTATEs', () => {
  assert.equal(isRetriable(errors.TIMEOUT({ url: 'u', detail: 'x' })), true);
  assert.equal(isRetriable(errors.HTTP_STATUS({ url: 'u', status: 404 })), false);
  assert.equal(isRetriable(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), true);
  assert.equal(
    isRetriable(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }) })),
    true,
  );
  assert.equal(isRetriable(new DOMException('timed out', 'TimeoutError')), true);
  assert.equal(isRetriable(new Error('plain')), false);
  for (const code of ['08006', '40001', '40P01', '53300', '57P01'])
    assert.equal(isTransientDbError(Object.assign(new Error(code), { code })), true, code);
  for (const code of ['23505', '42P01', '22P02'])
    assert.equal(isTransientDbError(Object.assign(new Error(code), { code })), false, code);
});

test('budgetMs: tries go on while the next wait ends within the budget, then the last error is thrown', async () => {
  let clock = 0;
  const delays: number[] = [];
  let calls = 0;
  const err = errors.NETWORK({ url: 'http://x/', detail: 'refused' });
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw err;
      },
      {
        retries: Infinity,
        budgetMs: 10_000,
        baseDelayMs: 1000,
        maxDelayMs: 4000,
        random: () => 0.999,
        now: () => clock,
        sleep: async (ms) => {
          delays.push(ms);
          clock += ms;
        },
      },
    ),
    (e) => e === err,
  );
  // 999 + 1998 + 3996 = 6993; the next 3996 would end at 10 989 > 10 000.
  assert.deepEqual(delays, [999, 1998, 3996]);
  assert.equal(calls, 4);
});

test('isTransientDbError: node-postgres errors for a dropped connection (no code) are transient', () => {
  assert.equal(isTransientDbError(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isTransientDbError(new Error('Client has encountered a connection error and is not queryable')), true);
  assert.equal(isTransientDbError(new Error('syntax error at or near "x"')), false);
  assert.equal(isRetriable(new Error('Connection terminated')), true);
});
