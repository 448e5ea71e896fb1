/**
 * Guard of the error catalogue (Fastify's `lib/errors` test habit): the codes in `codes.ts` and in
 * the README table are the same set, each documented once with its kind and retry flag; every code
 * the sources name exists; constructors build the right class with the template filled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CODES,
  errors,
  errorFromWire,
  errorToWire,
  isMetisError,
  isTaskError,
  MetisError,
  RecordError,
  RequestError,
  TaskError,
  type ErrorCode,
} from '../../src/errors/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function readmeRows(): Array<{ code: string; kind: string; retriable: string }> {
  const text = readFileSync(join(ROOT, 'src/errors/README.md'), 'utf8');
  return [...text.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|/gm)].map((m) => ({
    code: m[1],
    kind: m[2],
    retriable: m[3],
  }));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

test('every code is documented once in the README, with its kind and retry flag', () => {
  const rows = readmeRows();
  const documented = rows.map((r) => r.code);
  assert.equal(new Set(documented).size, documented.length, 'a code is documented twice');
  assert.deepEqual([...documented].sort(), Object.keys(CODES).sort(), 'README and codes.ts list different codes');
  for (const r of rows) {
    const spec = CODES[r.code as ErrorCode];
    assert.equal(r.kind, spec.kind, `${r.code}: kind`);
    assert.equal(r.retriable, spec.retriable ? 'yes' : 'no', `${r.code}: retriable`);
  }
});

test('every code named in src/ and test/ exists in the catalogue', () => {
  const known = new Set(Object.keys(CODES));
  const unknown: string[] = [];
  const patterns = [
    /\berrors\.([A-Z][A-Z0-9_]+)\b/g,
    /new (?:MetisError|TaskError|RecordError|RequestError)\(\s*'([^']+)'/g,
    // Catalogue subclasses (XmlParseError, FetchError, ...) pass their code to super() or take it first.
    /\b(?:super|new \w+Error)\(\s*'([A-Z][A-Z0-9_]+)'/g,
    /\bcreateError\(\s*'([^']+)'/g,
    /\bisMetisError\([^,()]+,\s*'([^']+)'\)/g,
  ];
  for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'test'))]) {
    // The engine has its own codes; the catalogue's own files name codes only as examples in comments.
    if (file.includes(join('src', 'engine')) || file.includes(join('src', 'errors'))) continue;
    const text = readFileSync(file, 'utf8');
    for (const re of patterns)
      for (const m of text.matchAll(re)) if (!known.has(m[1])) unknown.push(`${file.slice(ROOT.length)}: ${m[1]}`);
  }
  assert.deepEqual(unknown, []);
});

test('constructors fill the template and pick the class of the kind', () => {
  const t = errors.XSLT_COMPILE({ detail: 'line 3: bad' });
  assert.ok(t instanceof TaskError && t instanceof MetisError && t instanceof Error);
  assert.equal(t.message, 'XSLT does not compile: line 3: bad');
  assert.equal(t.code, 'XSLT_COMPILE');
  assert.equal(t.name, 'TaskError');
  assert.equal(t.retriable, false);
  assert.ok(isTaskError(t));

  const cause = new Error('socket hang up');
  const r = errors.NETWORK(
    { url: 'http://x/', detail: 'reset' },
    { cause, context: { taskId: 't1', recordId: '/1/a' } },
  );
  assert.ok(r instanceof RecordError && !(r instanceof TaskError));
  assert.equal(r.message, 'Could not fetch http://x/: reset');
  assert.equal(r.retriable, true);
  assert.equal(r.cause, cause);
  assert.deepEqual(r.context, { taskId: 't1', recordId: '/1/a' });
  assert.ok(!isTaskError(r));

  const extra = errors.HTTP_STATUS({ url: 'http://x/a', status: 404, hop: 2 });
  assert.equal(extra.params.status, 404);
  assert.equal(extra.params.hop, 2);
  assert.ok(isMetisError(extra, 'HTTP_STATUS') && !isMetisError(extra, 'TIMEOUT'));
  assert.equal(errors.NO_PROVIDER_ID().message, 'Could not find provider ID in source.');
  const refused = errors.TASK_NOT_FOUND({ taskId: 'x' });
  assert.ok(refused instanceof RequestError && !(refused instanceof RecordError) && !isTaskError(refused));
  assert.equal(refused.name, 'RequestError');
  assert.deepEqual(r.withContext({ step: 'media', taskId: 'other' }).context, {
    step: 'media',
    taskId: 't1',
    recordId: '/1/a',
  });
});

test('an error crosses a thread boundary as data and keeps its code and kind', () => {
  const back = errorFromWire(
    structuredClone(errorToWire(errors.SCHEMA_UNAVAILABLE({ detail: 'Schema location not found: /x' }))),
  );
  assert.ok(back instanceof TaskError);
  assert.equal((back as TaskError).code, 'SCHEMA_UNAVAILABLE');
  assert.equal(back.message, 'Schema location not found: /x');
  const plain = errorFromWire(structuredClone(errorToWire(new Error('boom'))));
  assert.ok(!(plain instanceof MetisError));
  assert.equal(plain.message, 'boom');
});
