/**
 * Compares the project's XSD and parse-error messages with the JDK's Xerces, run as Metis runs it
 * (MetisValidate.java), word for word: every fixture record (as external, sorted, and as internal)
 * and seeded mutants of the valid ones (a child removed or repeated, a value replaced, an unknown
 * attribute, the attributes removed, stray text). Needs a JDK (javac, java); not part of CI.
 *
 *   node --import tsx tools/xerces-oracle/xerces-oracle.ts [mutants per record, default 40]
 *
 * Prints the records whose messages differ and exits 1 when there are any.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sortEdm } from '../../src/edm/sorter.ts';
import { parseXml, serializeXml, XmlParseError, type XmlElement } from '../../src/edm/xml.ts';
import { compileXsd } from '../../src/steps/validate/xsd.ts';
import { prng } from '../../test/support/prng.ts';
import { FIXTURES, SCHEMA_DIR, VALID_EXTERNAL } from '../../test/transform/fixtures.ts';

const perRecord = Number(process.argv[2] ?? 40);
const work = mkdtempSync(join(tmpdir(), 'xerces-oracle-'));
execFileSync('javac', ['-d', work, fileURLToPath(new URL('MetisValidate.java', import.meta.url))]);
const xsd = { ext: compileXsd(SCHEMA_DIR, `${SCHEMA_DIR}EDM.xsd`), int: compileXsd(SCHEMA_DIR, `${SCHEMA_DIR}EDM-INTERNAL.xsd`) };

const ours = new Map<string, string>();
let n = 0;
function add(kind: 'ext' | 'int', xml: string): void {
  let content = xml;
  let message: string;
  try {
    // As the validation steps do: our parser first (its errors carry Xerces's words), then libxml2.
    const doc = parseXml(xml);
    if (kind === 'ext') content = serializeXml(sortEdm(doc));
    message = xsd[kind].validate(content)?.message ?? 'VALID';
  } catch (e) {
    message = (e instanceof XmlParseError && e.xerces) || (e as Error).message;
  }
  const file = join(work, `${kind}-${String(n++).padStart(5, '0')}.xml`);
  writeFileSync(file, content);
  ours.set(file, message);
}

function mutant(xml: string, rnd: () => number): string {
  const doc = parseXml(xml);
  const all: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    all.push(e);
    for (const c of e.children) if (c.kind === 'element') walk(c);
  };
  walk(doc.root);
  const t = all[1 + Math.floor(rnd() * (all.length - 1))];
  const parent = all.find((p) => p.children.includes(t))!;
  const kind = Math.floor(rnd() * 6);
  if (kind === 0) parent.children.splice(parent.children.indexOf(t), 1);
  else if (kind === 1) parent.children.splice(parent.children.indexOf(t), 0, t);
  else if (kind === 2) t.children = [{ kind: 'text', text: ['TEXTO', '-5', 'x y', '#FFF', ''][Math.floor(rnd() * 5)] }];
  else if (kind === 3) t.attrs.push({ name: 'rdf:bogus', prefix: 'rdf', local: 'bogus', ns: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#', value: '1' });
  else if (kind === 4) t.attrs = t.attrs.filter((a) => a.name === 'xmlns' || a.prefix === 'xmlns');
  else t.children.push({ kind: 'text', text: 'stray' });
  return serializeXml(doc);
}

const records: string[] = [];
const walk = (d: string) => {
  for (const e of readdirSync(d).sort()) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(xml|rdf)$/.test(e) && !p.includes('.extracted') && statSync(p).size < 60_000) records.push(p);
  }
};
walk(fileURLToPath(FIXTURES));
for (const f of records) {
  const xml = readFileSync(f, 'utf8');
  add('ext', xml);
  add('int', xml);
}
const rnd = prng(2026);
const internal = records.filter((f) => /record-expected|edm_internal|sample_index_rdf/.test(f));
for (const [kind, list] of [['ext', VALID_EXTERNAL.map((p) => fileURLToPath(new URL(p, FIXTURES)))], ['int', internal]] as const)
  for (const f of list) {
    const xml = readFileSync(f, 'utf8');
    for (let i = 0; i < perRecord; i++) add(kind, mutant(xml, rnd));
  }

const out = execFileSync('java', ['-cp', work, 'MetisValidate', SCHEMA_DIR], { input: [...ours.keys()].join('\n'), maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'ignore'] }).toString();
const xerces = new Map(out.trim().split('\n').map((l) => l.split('\t', 2) as [string, string]));
let differ = 0;
for (const [file, message] of ours) {
  const theirs = (xerces.get(file) ?? '').replace(/\\n/g, '\n');
  if (theirs === message) continue;
  differ++;
  process.stdout.write(`${file}\n  ours:   ${message}\n  Xerces: ${theirs}\n`);
}
const invalid = [...ours.values()].filter((m) => m !== 'VALID').length;
process.stdout.write(`${ours.size} records (${invalid} invalid here), ${ours.size - differ} with the same message, ${differ} differ; cases in ${work}\n`);
process.exit(differ > 0 ? 1 : 0);
