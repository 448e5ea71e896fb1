/**
 * Memory probe for `npm run bench memory-worker` (bench/memory-worker.ts): preloaded with `node --require`, so it
 * runs in the main thread AND in every worker thread (an `--import` preload does not reach worker
 * threads). With MEMPROBE_FILE set, each thread
 *   - notes the WebAssembly memories it instantiates (WebAssembly.instantiate / Instance wrapped), and
 *   - on a message on the BroadcastChannel `memprobe` (the main thread posts one on SIGUSR2) appends a
 *     JSON line to MEMPROBE_FILE: its V8 heap statistics and heap spaces, process.memoryUsage()'s
 *     per-isolate fields and the bytes of its WebAssembly memories.
 * With MEMPROBE_THREADS set it replaces os.availableParallelism() (the step pool's default size) so an
 * experiment can run the unchanged worker with 0, 1, 2… step threads.
 *
 * Before SIGUSR2 the caller may write a command to `${MEMPROBE_FILE}.cmd` (JSON, read and deleted by
 * the main thread): `{"gc": true}` makes every thread run a full collection before it reports (the
 * worker must run with `--expose-gc`), so `used_heap_size` is the live heap; `{"snapshot": "<prefix>"}`
 * makes the main thread write a V8 heap snapshot to `<prefix>-main.heapsnapshot` (`"snapshotAll":
 * true`: every thread, `<prefix>-thread<id>.heapsnapshot`), after the collection. The report line
 * says where the snapshot went.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a --require preload is CommonJS (it must run in worker threads too) */
const { appendFileSync, existsSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const v8 = require('node:v8');
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');

if (process.env.MEMPROBE_THREADS !== undefined) {
  const n = Number(process.env.MEMPROBE_THREADS);
  os.availableParallelism = () => n;
  require('node:module').syncBuiltinESMExports();
}

const file = process.env.MEMPROBE_FILE;
if (file) {
  const memories = [];
  const note = (instance) => {
    for (const v of Object.values(instance?.exports ?? {})) if (v instanceof WebAssembly.Memory) memories.push(v);
  };
  const { instantiate, Instance } = WebAssembly;
  WebAssembly.instantiate = async function (...args) {
    const r = await instantiate.apply(this, args);
    note(r instanceof Instance ? r : r.instance);
    return r;
  };
  if (WebAssembly.instantiateStreaming) {
    const streaming = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = async function (...args) {
      const r = await streaming.apply(this, args);
      note(r.instance);
      return r;
    };
  }
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, args) {
      const i = Reflect.construct(target, args);
      note(i);
      return i;
    },
  });
  const report = (data) => {
    const cmd = typeof data === 'string' ? { tag: data } : data;
    const tag = cmd.tag;
    if (cmd.gc && typeof globalThis.gc === 'function') globalThis.gc();
    let snapshot;
    if (cmd.snapshot && (isMainThread || cmd.snapshotAll))
      snapshot = v8.writeHeapSnapshot(`${cmd.snapshot}-${isMainThread ? 'main' : `thread${threadId}`}.heapsnapshot`);
    const mu = process.memoryUsage();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size }]),
    );
    appendFileSync(
      file,
      `${JSON.stringify({
        tag,
        thread: threadId,
        main: isMainThread,
        heap: v8.getHeapStatistics(),
        spaces,
        external: mu.external,
        arrayBuffers: mu.arrayBuffers,
        wasm: memories.reduce((a, m) => a + m.buffer.byteLength, 0),
        wasmCount: memories.length,
        gc: Boolean(cmd.gc && typeof globalThis.gc === 'function'),
        snapshot,
      })}\n`,
    );
  };
  const channel = new BroadcastChannel('memprobe');
  channel.unref();
  channel.onmessage = (e) => report(e.data);
  if (isMainThread) {
    process.on('SIGUSR2', () => {
      let cmd = {};
      if (existsSync(`${file}.cmd`)) {
        cmd = JSON.parse(readFileSync(`${file}.cmd`, 'utf8'));
        rmSync(`${file}.cmd`, { force: true });
      }
      const data = { tag: String(Date.now()), ...cmd };
      channel.postMessage(data);
      report(data);
    });
  }
}
