/**
 * Hostile input for the two XML parsers (issue #12, rows 1 and 4): the record parser
 * (src/edm/xml-parse.ts) and the streaming OAI-PMH response parser (src/steps/harvest/oai/). Each
 * case is generated in code (support/parser-generators.ts) and must end in bounded time with a
 * defined outcome: a tree, or an error naming the limit that was hit. The time bounds are hang guards
 * only (the old code took 9 s to 100 s and more on these inputs; the linear code takes well under 1 s).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseXml, XmlParseError } from '../../src/edm/xml.ts';
import { parseGetRecord } from '../../src/steps/harvest/oai/oai-response.ts';
import type { StreamLimits } from '../../src/steps/harvest/oai/oai-stream.ts';
import { isMetisError } from '../../src/errors/index.ts';
import {
  deepMetadata,
  deepRecord,
  getRecordResponse,
  manyAttributesRecord,
  manyNamespacedAttributesRecord,
  manyNamespacesRecord,
  manySiblingsRecord,
} from './support/parser-generators.ts';

const HANG_GUARD_MS = 10_000;

/** Runs `fn`, returns its result or error and asserts it ended within the hang guard. */
function timed<T>(fn: () => T): { value?: T; error?: unknown } {
  const start = performance.now();
  let out: { value?: T; error?: unknown };
  try {
    out = { value: fn() };
  } catch (error) {
    out = { error };
  }
  const ms = performance.now() - start;
  assert.ok(ms < HANG_GUARD_MS, `took ${ms.toFixed(0)} ms`);
  return out;
}

function parseError(out: { error?: unknown }): XmlParseError {
  assert.ok(out.error instanceof XmlParseError, `expected XmlParseError, got ${String(out.error)}`);
  return out.error;
}

describe('record parser: hostile shapes end in bounded time with a defined outcome', () => {
  for (const depth of [20_000, 100_000]) {
    it(`${depth}-level nesting: refused as it descends, naming maxDepth`, () => {
      const e = parseError(timed(() => parseXml(deepRecord(depth))));
      assert.match(e.message, /XML nesting deeper than 256 \(limit maxDepth\)/);
      assert.equal(e.code, 'XML_PARSE');
    });
  }

  it('60,000 namespace declarations on one element: refused, naming maxNamespaceDeclarations', () => {
    const e = parseError(timed(() => parseXml(manyNamespacesRecord(60_000))));
    assert.match(e.message, /More than 256 namespace declarations on one element \(limit maxNamespaceDeclarations\)/);
  });

  it('namespace declarations piling up over nested elements: refused, naming maxNamespacesInScope', () => {
    let xml = '';
    for (let d = 0; d < 200; d++) {
      let decls = '';
      for (let i = 0; i < 10; i++) decls += ` xmlns:p${d}_${i}="http://example.org/${d}/${i}"`;
      xml += `<e${decls}>`;
    }
    for (let d = 199; d >= 0; d--) xml += `</e>`;
    const e = parseError(timed(() => parseXml(xml)));
    assert.match(e.message, /More than 1024 namespace declarations in scope \(limit maxNamespacesInScope\)/);
    // The same declarations, one element at a time (siblings), stay within the scope limit.
    let siblings = '<r>';
    for (let d = 0; d < 200; d++) {
      let decls = '';
      for (let i = 0; i < 10; i++) decls += ` xmlns:p${i}="http://example.org/${d}/${i}"`;
      siblings += `<p0:e${decls}/>`;
    }
    const doc = parseXml(siblings + '</r>');
    const kids = doc.root.children.filter((c) => c.kind === 'element');
    assert.equal(kids.length, 200);
    assert.equal(kids[199].kind === 'element' && kids[199].ns, 'http://example.org/199/0');
  });

  it('limits are options: a larger namespace limit accepts 60,000 declarations', () => {
    const out = timed(() =>
      parseXml(manyNamespacesRecord(60_000), { maxNamespaceDeclarations: 100_000, maxNamespacesInScope: 100_000 }),
    );
    assert.equal(out.error, undefined);
    assert.equal(out.value!.root.attrs.length, 60_001);
    const child = out.value!.root.children[0];
    assert.equal(child.kind === 'element' && child.ns, 'http://example.org/ns/0');
  });

  it('100,000 attributes (plain and namespaced): parsed in full', () => {
    for (const gen of [manyAttributesRecord, manyNamespacedAttributesRecord]) {
      const out = timed(() => parseXml(gen(100_000)));
      assert.equal(out.error, undefined, String(out.error));
      const attrs = out.value!.root.attrs;
      assert.equal(attrs.length, 100_001);
      assert.equal(attrs[100_000].value, 'v99999');
    }
  });

  it('a duplicate at the end of 100,000 attributes is still found (by name and by namespace)', () => {
    const plain = manyAttributesRecord(100_000).replace('/>', ' a5="again"/>');
    assert.match(parseError(timed(() => parseXml(plain))).message, /Duplicate attribute a5/);
    const viaNs = manyNamespacedAttributesRecord(100_000).replace(
      '/>',
      ` xmlns:other="http://www.w3.org/1999/02/22-rdf-syntax-ns#" other:a7="again"/>`,
    );
    assert.match(parseError(timed(() => parseXml(viaNs))).message, /Duplicate attribute other:a7/);
  });

  it('200,000 siblings on one line: parsed in full; 500,000 with an error: the right line', () => {
    const out = timed(() => parseXml(manySiblingsRecord(200_000)));
    assert.equal(out.error, undefined, String(out.error));
    assert.equal(out.value!.root.children.length, 200_000);
    // 500,000 on one line: finding the line of each tag rescanned the rest of the line (40 s before).
    const broken = '\n\r\n' + manySiblingsRecord(500_000).replace('</rdf:RDF>', '<x></rdf:RDF>');
    const e = parseError(timed(() => parseXml(broken)));
    assert.equal(e.line, 3);
    assert.match(e.message, /Unexpected close tag/);
  });

  it('namespace bindings go out of scope when their element closes', () => {
    const xml =
      '<r xmlns="urn:d" xmlns:p="urn:1"><p:a xmlns:p="urn:2"><p:b/></p:a><p:c/>' + '<x xmlns=""><y/></x><z/></r>';
    const doc = parseXml(xml);
    const ns = (n: unknown) => (n as { ns: string }).ns;
    const [a, c, x, z] = doc.root.children;
    assert.equal(ns(a), 'urn:2');
    assert.equal(ns((a as { children: unknown[] }).children[0]), 'urn:2');
    assert.equal(ns(c), 'urn:1');
    assert.equal(ns(x), '');
    assert.equal(ns((x as { children: unknown[] }).children[0]), '');
    assert.equal(ns(z), 'urn:d');
    assert.throws(() => parseXml('<r><p:a xmlns:p="urn:1"/><p:b/></r>'), /Unbound namespace prefix: "p"/);
  });
});

describe('streaming OAI-PMH parser: GetRecord responses from a real server', () => {
  let server: Server;
  let base = '';
  const bodies = new Map<string, string>();

  before(async () => {
    server = createServer((req, res) => {
      const body = bodies.get(req.url ?? '');
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Serves `xml`, fetches it and parses the body as it streams in; asserts the hang guard. */
  async function fetchGetRecord(name: string, xml: string, limits?: StreamLimits) {
    bodies.set(`/${name}`, xml);
    const start = performance.now();
    const res = await fetch(`${base}/${name}`);
    assert.equal(res.status, 200);
    let out: { value?: Awaited<ReturnType<typeof parseGetRecord>>; error?: unknown };
    try {
      out = { value: await parseGetRecord(res.body!, limits) };
    } catch (error) {
      out = { error };
    }
    const ms = performance.now() - start;
    assert.ok(ms < HANG_GUARD_MS, `took ${ms.toFixed(0)} ms`);
    return out;
  }

  function responseError(out: { error?: unknown }): string {
    assert.ok(isMetisError(out.error), `expected a catalogue error, got ${String(out.error)}`);
    assert.equal(out.error.code, 'OAI_RESPONSE_INVALID');
    return out.error.message;
  }

  for (const depth of [20_000, 100_000]) {
    it(`metadata nested ${depth} levels: refused as it descends, naming maxDepth`, async () => {
      const out = await fetchGetRecord(`deep-${depth}`, getRecordResponse(deepMetadata(depth)));
      assert.match(responseError(out), /XML nesting deeper than 512 \(limit maxDepth\)/);
    });
  }

  it('100,000 levels with the depth limit lifted: parsed to the end (linear, no quadratic namespace lookup)', async () => {
    const depth = 100_000;
    const out = await fetchGetRecord('deep-unlimited', getRecordResponse(deepMetadata(depth)), { maxDepth: 1e9 });
    assert.equal(out.error, undefined, String(out.error));
    assert.equal(
      out.value!.metadata,
      `<a xmlns="http://www.openarchives.org/OAI/2.0/">${'<a>'.repeat(depth - 1)}x${'</a>'.repeat(depth)}`,
    );
    assert.equal(out.value!.header?.identifier, 'oai:example.org:1');
  });

  it('nesting within the limit: the record comes through whole', async () => {
    const out = await fetchGetRecord('deep-400', getRecordResponse(deepRecord(400)));
    assert.equal(out.error, undefined, String(out.error));
    // The envelope's default namespace is in scope, and `<a>` uses it: written onto the record's root.
    const expected = deepRecord(400).replace('#">', '#" xmlns="http://www.openarchives.org/OAI/2.0/">');
    assert.equal(out.value!.metadata, expected);
  });

  it('60,000 namespace declarations: refused, naming maxNamespaceDeclarations', async () => {
    const out = await fetchGetRecord('ns-60000', getRecordResponse(manyNamespacesRecord(60_000)));
    assert.match(responseError(out), /More than 256 namespace declarations on one element/);
  });

  it('namespace declarations piling up over nested elements: refused, naming maxNamespacesInScope', async () => {
    let xml = '';
    for (let d = 0; d < 200; d++) {
      let decls = '';
      for (let i = 0; i < 10; i++) decls += ` xmlns:p${d}_${i}="http://example.org/${d}/${i}"`;
      xml += `<e${decls}>`;
    }
    xml += '</e>'.repeat(200);
    const out = await fetchGetRecord('ns-scope', getRecordResponse(xml));
    assert.match(responseError(out), /More than 1024 namespace declarations in scope/);
  });

  it('100,000 attributes and 200,000 siblings: parsed in full', async () => {
    const attrs = await fetchGetRecord('attrs', getRecordResponse(manyNamespacedAttributesRecord(100_000)));
    assert.equal(attrs.error, undefined, String(attrs.error));
    assert.equal(attrs.value!.metadata, manyNamespacedAttributesRecord(100_000));
    const siblings = await fetchGetRecord('siblings', getRecordResponse(manySiblingsRecord(200_000)));
    assert.equal(siblings.error, undefined, String(siblings.error));
    assert.equal(siblings.value!.metadata, manySiblingsRecord(200_000));
  });

  it('prefixes resolve through the envelope and go out of scope when their element closes', async () => {
    const xml = getRecordResponse('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/><p:c/></p:a>').replace(
      '<OAI-PMH ',
      '<OAI-PMH xmlns:q="urn:q" ',
    );
    const ok = await fetchGetRecord('scope-ok', xml.replace('<p:c/>', '<p:c q:x="1"/>'));
    assert.equal(ok.error, undefined, String(ok.error));
    assert.equal(ok.value!.metadata, '<p:a xmlns:p="urn:1" xmlns:q="urn:q"><p:b xmlns:p="urn:2"/><p:c q:x="1"/></p:a>');
    const unbound = await fetchGetRecord(
      'scope-unbound',
      xml.replace('</p:a>', '</p:a>').replace('<p:c/>', '<p:c/><r:d/>'),
    );
    assert.match(responseError(unbound), /unbound namespace prefix: "r"/);
    const closed = await fetchGetRecord('scope-closed', getRecordResponse('<a><b xmlns:p="urn:1"/><p:c/></a>'));
    assert.match(responseError(closed), /unbound namespace prefix: "p"/);
  });
});
