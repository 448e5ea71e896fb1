/**
 * XSD wording over the fixtures and their mutants (issue #15 deliver item 3): every EDM fixture record
 * (external ones sorted first, as the external step does) and seeded mutants of it, one deliberate
 * change each (a child removed or repeated, a value replaced, an unknown attribute added, the
 * attributes removed, stray text added). Whenever libxml2 finds the record invalid, the reported
 * message must be Xerces's (`cvc-…`, no fallback to libxml2's words), and where both name the
 * element at fault they must name the same one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sortEdm } from '../../src/edm/sorter.ts';
import { parseXml, serializeXml, type XmlElement } from '../../src/edm/xml.ts';
import { type CompiledXsd, compileXsd } from '../../src/steps/validate/xsd.ts';
import { prng } from '../support/prng.ts';
import { fixture, SANDBOX, SCHEMA_DIR, VALID_EXTERNAL } from '../transform/fixtures.ts';

const INTERNAL = [
  `${SANDBOX}record/transform/record-expected.xml`,
  'metis-framework/metis-transformation/metis-transformation-service/src/test/resources/europeana_record_edm_internal.xml',
  'metis-framework/metis-indexing/src/test/resources/europeana_record_to_sample_index_rdf.xml',
  'Europeana-Cloud/service/dps/storm/topologies/media-service/src/test/resources/files/fileWithTwoResources.xml',
];
const MUTANTS_PER_RECORD = 12;
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

function elements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    out.push(e);
    for (const c of e.children) if (c.kind === 'element') walk(c);
  };
  walk(root);
  return out;
}

/** One seeded change to a fresh copy of `xml`. */
function mutant(xml: string, rnd: () => number): string {
  const doc = parseXml(xml);
  const all = elements(doc.root);
  const target = all[1 + Math.floor(rnd() * (all.length - 1))];
  const parent = all.find((p) => p.children.includes(target))!;
  switch (Math.floor(rnd() * 6)) {
    case 0:
      parent.children.splice(parent.children.indexOf(target), 1);
      break;
    case 1:
      parent.children.splice(parent.children.indexOf(target), 0, target);
      break;
    case 2:
      target.children = [{ kind: 'text', text: ['TEXTO', '-5', 'x y', '#FFF', ''][Math.floor(rnd() * 5)] }];
      break;
    case 3:
      target.attrs.push({ name: 'rdf:bogus', prefix: 'rdf', local: 'bogus', ns: RDF, value: '1' });
      break;
    case 4:
      target.attrs = target.attrs.filter((a) => a.name === 'xmlns' || a.prefix === 'xmlns');
      break;
    default:
      target.children.push({ kind: 'text', text: 'stray' });
  }
  return serializeXml(doc);
}

/** The local name of the element a message is about (libxml2: `Element '{ns}x'`; Xerces: `element '…'`). */
const libxml2Element = (m: string) => /^Element '(?:\{[^}]*\})?([^']+)'/.exec(m)?.[1];
const xercesElement = (m: string) =>
  (/starting with element '(?:\{"[^"]*":)?([^'}]+)\}?'/.exec(m) ?? /element '(?:[^':]+:)?([^']+)'/.exec(m))?.[1];

describe('XSD wording over the fixtures and their mutants', () => {
  let ext: CompiledXsd;
  let int: CompiledXsd;
  before(() => {
    ext = compileXsd(SCHEMA_DIR, `${SCHEMA_DIR}EDM.xsd`);
    int = compileXsd(SCHEMA_DIR, `${SCHEMA_DIR}EDM-INTERNAL.xsd`);
  });
  after(() => {
    ext.dispose();
    int.dispose();
  });

  it(`${MUTANTS_PER_RECORD} mutants of each record: every invalid one worded as Xerces, about the same element`, () => {
    const rnd = prng(15);
    const problems: string[] = [];
    let invalid = 0;
    const check = (xsd: CompiledXsd, xml: string, what: string) => {
      const p = xsd.validate(xml);
      if (!p) return;
      invalid++;
      if (!/^cvc-[A-Za-z0-9.-]+: /.test(p.message)) problems.push(`${what}: not worded: ${p.libxml2}`);
      const [a, b] = [libxml2Element(p.libxml2), xercesElement(p.message)];
      if (a && b && a !== b) problems.push(`${what}: libxml2 names ${a}, Xerces wording names ${b}`);
    };
    const cases: Array<[CompiledXsd, string, boolean]> = [
      ...VALID_EXTERNAL.map((p) => [ext, p, true] as [CompiledXsd, string, boolean]),
      ...INTERNAL.map((p) => [int, p, false] as [CompiledXsd, string, boolean]),
    ];
    for (const [xsd, path, sort] of cases) {
      const xml = fixture(path);
      for (let i = 0; i < MUTANTS_PER_RECORD; i++) {
        const m = mutant(xml, rnd);
        check(xsd, sort ? serializeXml(sortEdm(parseXml(m))) : m, `${path.split('/').pop()} #${i}`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`);
    assert.ok(invalid > cases.length * 3, `only ${invalid} invalid mutants: the mutations are too weak to mean anything`);
  });
});
