/**
 * Provider XSLT (1.0/2.0/3.0) on SaxonJS. SaxonJS runs only compiled stylesheets (SEF), so each
 * stylesheet is compiled once with the `xslt3` CLI in a child process, cached on disk and in memory
 * by a hash of its text, and run with `stylesheetInternal` (the parsed SEF object: ~2 ms per record
 * instead of ~6 ms when SaxonJS re-reads the SEF file each time).
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SaxonNode } from 'saxon-js';
import { loadOnSaxonHe } from '../rules/saxon-he.ts';
import { errors } from '../../errors/index.ts';

export interface XsltCompileOptions {
  /** Folder for compiled SEF files. Default `<os tmpdir>/metis-streams-sef`. */
  cacheDir?: string;
  /** Compile timeout in milliseconds. Default 120000. */
  compileTimeoutMs?: number;
  /**
   * `saxonjs` (default): SaxonJS in this thread, SEF compiled by `xslt3`. `saxon-he`: Saxon-HE in a
   * JVM per thread (steps/rules/saxon-he.ts; needs java and libsaxonhe-java; ~6× less CPU).
   */
  engine?: 'saxonjs' | 'saxon-he';
}

/** A compiled stylesheet, ready to run per record. */
export interface CompiledXslt {
  /** sha256 of the stylesheet text (the cache key). */
  readonly hash: string;
  /**
   * Transforms one document. Returns the serialized principal result.
   * @throws Error with SaxonJS's message (e.g. `XTDE0640 …`, a malformed source) for a bad record
   */
  run(sourceText: string, params?: Record<string, unknown>): string;
  /**
   * Transforms one document and returns the result tree (a SaxonJS document node), for callers that
   * read the result (the Schematron report) rather than pass it on as text. SaxonJS only.
   * @throws Error as `run` does
   */
  runToTree?(sourceText: string, params?: Record<string, unknown>): SaxonNode;
}

const memory = new Map<string, Promise<CompiledXslt>>();
const require = createRequire(import.meta.url);

/**
 * Compiles XSLT source text (or returns the cached compilation of identical text).
 * Relative `xsl:import`/`xsl:include` are resolved against `baseDir` when given.
 * @throws TaskError `XSLT_COMPILE` with the compiler's message when the stylesheet does not compile
 */
export function compileXslt(xslt: string, opts: XsltCompileOptions & { baseDir?: string } = {}): Promise<CompiledXslt> {
  const hash = createHash('sha256').update(xslt).digest('hex');
  const cacheDir = resolve(opts.cacheDir ?? join(tmpdir(), 'metis-streams-sef'));
  const memoKey = `${opts.engine ?? 'saxonjs'}|${cacheDir}|${opts.baseDir ?? ''}|${hash}`;
  let job = memory.get(memoKey);
  if (!job) {
    job =
      opts.engine === 'saxon-he'
        ? (async () => ({ hash, ...loadOnSaxonHe(xslt, opts.baseDir) }))()
        : load(xslt, hash, cacheDir, opts);
    memory.set(memoKey, job);
    job.catch(() => memory.delete(memoKey)); // a failed compile may be retried later
  }
  return job;
}

async function load(
  xslt: string,
  hash: string,
  cacheDir: string,
  opts: XsltCompileOptions & { baseDir?: string },
): Promise<CompiledXslt> {
  const sefPath = join(cacheDir, `${hash}.sef.json`);
  if (!existsSync(sefPath)) await compileToSef(xslt, sefPath, opts);
  const sef: unknown = JSON.parse(readFileSync(sefPath, 'utf8'));
  // Loaded on first use: SaxonJS costs ~0.3 s and ~85 MB per thread, and only provider XSLT needs it.
  const { default: SaxonJS } = await import('saxon-js');
  return {
    hash,
    run(sourceText, params) {
      return SaxonJS.transform(
        { stylesheetInternal: sef, sourceText: xmlLineEnds(sourceText), destination: 'serialized', stylesheetParams: params ?? {} },
        'sync',
      ).principalResult as string;
    },
    runToTree(sourceText, params) {
      return SaxonJS.transform(
        { stylesheetInternal: sef, sourceText: xmlLineEnds(sourceText), destination: 'document', stylesheetParams: params ?? {} },
        'sync',
      ).principalResult as SaxonNode;
    },
  };
}

/**
 * XML end-of-line handling (XML 1.0 §2.11: CR LF and lone CR read as LF), which SaxonJS's parser
 * skips: without it a CR LF record keeps CRs in its text, unlike Metis (Saxon-HE on Xerces) and
 * our parser. A CR written as `&#13;` is a character reference and stays.
 */
function xmlLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

async function compileToSef(
  xslt: string,
  sefPath: string,
  opts: XsltCompileOptions & { baseDir?: string },
): Promise<void> {
  const dir = resolve(sefPath, '..');
  await mkdir(dir, { recursive: true });
  const unique = `${process.pid}-${randomUUID()}`;
  // The stylesheet file sits in baseDir when imports must resolve, else next to the cache entry.
  const xslPath = join(opts.baseDir ?? dir, `.metis-xslt-${unique}.xsl`);
  const tempSef = `${sefPath}.${unique}.tmp`;
  await writeFile(xslPath, xslt);
  try {
    const cli = require.resolve('xslt3/xslt3.js');
    await new Promise<void>((done, failed) => {
      execFile(
        process.execPath,
        [cli, `-xsl:${xslPath}`, `-export:${tempSef}`, '-nogo', '-relocate:on'],
        { timeout: opts.compileTimeoutMs ?? 120_000, maxBuffer: 4 * 1024 * 1024 },
        (err, _stdout, stderr) => {
          if (err)
            failed(errors.XSLT_COMPILE({ detail: (stderr || err.message).trim().slice(0, 2000) }, { cause: err }));
          else done();
        },
      );
    });
    await rename(tempSef, sefPath); // atomic: concurrent compilers of the same text write the same bytes
  } finally {
    await rm(xslPath, { force: true });
    await rm(tempSef, { force: true });
  }
}
