/**
 * Saxon-HE (Metis's XSLT engine) in a long-lived JVM per thread, for the rules that run as XSLT:
 * ~6× less CPU per record than SaxonJS for Metis's stylesheets (docs/BENCHMARKS.md). Opt-in
 * (`xsltEngine: 'saxon-he'`); needs a JDK 11+ (`java` runs RulesSidecar.java from source) and
 * Saxon-HE's jar (Debian `libsaxonhe-java`).
 *
 * The step functions are synchronous, so the JVM is driven synchronously: requests and responses
 * go over two named pipes with blocking reads and writes (a thread waits for its own JVM; run it on
 * the step pool's threads, not the main one). `RulesSidecar.java` is the JVM side (run from source).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../../errors/index.ts';

const JARS = ['/usr/share/java/Saxon-HE.jar', '/usr/share/java/Saxon-HE-9.9.1.5.jar'];
const SIDECAR = fileURLToPath(new URL('./RulesSidecar.java', import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** One stylesheet loaded into the JVM. */
export interface HeStylesheet {
  /** Transforms one record; returns the serialized result. @throws Error with Saxon's message */
  run(sourceText: string, params?: Record<string, unknown>): string;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

/** A JVM running RulesSidecar; one per thread (see `saxonHe()`). */
class SaxonHeProcess {
  private readonly child: ChildProcess;
  private readonly dir: string;
  private reqFd = -1;
  private resFd = -1;
  private readonly header = Buffer.alloc(5);

  constructor(jar: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'saxon-he-'));
    const req = join(this.dir, 'req');
    const res = join(this.dir, 'res');
    execFileSync('mkfifo', [req, res]);
    this.child = spawn('java', ['-Xss4m', '-cp', jar, SIDECAR, req, res], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    this.child.unref();
    (this.child.stderr as unknown as { unref?: () => void }).unref?.();
    process.once('exit', () => this.close());
    const deadline = Date.now() + START_TIMEOUT_MS;
    const fail = (why: string) => {
      this.close();
      return errors.XSLT_COMPILE({ detail: `Saxon-HE did not start (${why}) ${stderr}`.trim() });
    };
    // Non-blocking opens first, so a JVM that never comes up cannot hang this thread.
    while (this.reqFd < 0) {
      try {
        this.reqFd = openSync(req, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw fail((err as Error).message);
        if (Date.now() > deadline) throw fail('timeout');
        sleep(10);
      }
    }
    const probe = openSync(res, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      let got = 0;
      while (got < 5) {
        let n = 0;
        try {
          n = readSync(probe, this.header, got, 5 - got, null);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw fail((err as Error).message);
        }
        got += n;
        if (got < 5) {
          if (Date.now() > deadline || this.child.exitCode !== null) throw fail('no ready signal');
          sleep(10);
        }
      }
      this.resFd = openSync(res, constants.O_RDONLY); // a writer exists now: does not block
    } finally {
      closeSync(probe);
    }
  }

  /** Compiles a stylesheet file in the JVM; returns its id. */
  load(path: string): number {
    return Number(this.call(Buffer.concat([Buffer.from([1]), str(path)])));
  }

  run(id: number, record: string, params: Record<string, unknown>): string {
    const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null);
    const head = Buffer.alloc(9);
    head.writeUInt8(2, 0);
    head.writeInt32BE(id, 1);
    head.writeInt32BE(entries.length, 5);
    return this.call(Buffer.concat([head, ...entries.flatMap(([k, v]) => [str(k), str(String(v))]), str(record)]));
  }

  private call(frame: Buffer): string {
    for (let off = 0; off < frame.length; ) {
      try {
        off += writeSync(this.reqFd, frame, off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        sleep(1); // the pipe is full: the JVM is reading
      }
    }
    this.readFully(this.header);
    const body = Buffer.alloc(this.header.readInt32BE(1));
    this.readFully(body);
    const text = body.toString('utf8');
    if (this.header[0] !== 0) throw new Error(text);
    return text;
  }

  private readFully(buf: Buffer): void {
    for (let off = 0; off < buf.length; ) {
      const n = readSync(this.resFd, buf, off, buf.length - off, null);
      if (n === 0) throw errors.INTERNAL({ detail: 'Saxon-HE process ended' });
      off += n;
    }
  }

  close(): void {
    for (const fd of [this.reqFd, this.resFd]) if (fd >= 0) closeSync(fd);
    this.reqFd = this.resFd = -1;
    if (this.child.exitCode === null) this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length, 0);
  return Buffer.concat([len, b]);
}

let thisThread: SaxonHeProcess | undefined;

/** Whether Saxon-HE can run here (a jar and `java`). */
export function saxonHeJar(): string | undefined {
  return JARS.find((j) => existsSync(j));
}

/**
 * Loads a stylesheet (text; relative imports against `baseDir`) into this thread's JVM, started on first use.
 * @throws TaskError `XSLT_COMPILE` when Saxon-HE is missing, does not start, or the stylesheet does not compile
 */
export function loadOnSaxonHe(xslt: string, baseDir?: string): HeStylesheet {
  const jar = saxonHeJar();
  if (!jar) throw errors.XSLT_COMPILE({ detail: 'Saxon-HE is not installed (Debian package libsaxonhe-java)' });
  const jvm = (thisThread ??= new SaxonHeProcess(jar));
  const file = join(baseDir ?? tmpdir(), `.metis-xslt-${process.pid}-${randomUUID()}.xsl`);
  writeFileSync(file, xslt);
  let id: number;
  try {
    id = jvm.load(file);
  } catch (err) {
    throw errors.XSLT_COMPILE({ detail: (err as Error).message }, { cause: err });
  } finally {
    rmSync(file, { force: true });
  }
  return { run: (sourceText, params = {}) => jvm.run(id, sourceText, params) };
}
