/**
 * The hostile corpus, record family (issue #12, deliver item 8): one zip entry per case, each a record
 * an attacker or a broken provider could send, with the outcome the harvest step must give it. The
 * suite (`test/hostile/corpus.test.ts`) harvests them all in one task next to valid fixture records,
 * so "other records unaffected" is checked by the same run. Everything here is generated; the only
 * files read are the valid fixture records.
 */
import { edmRecord, utf16 } from '../support/archive-zips.ts';
import { randomChars } from '../support/dbkeys-records.ts';

/** What the harvest step must say about a case. */
export type Expected =
  | { status: 'success'; check?: (content: string) => string | undefined }
  | { status: 'fail'; code: string; message?: RegExp };

export interface RecordCase {
  /** Also the zip entry name (`<id>.xml`) and part of the record's rdf:about. */
  id: string;
  family: string;
  what: string;
  bytes: Buffer;
  expect: Expected;
}

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const about = (id: string) => `http://corpus.example.org/${id}`;
const utf8 = (s: string) => Buffer.from(s, 'utf8');
const record = (id: string, title = 'Title', declaration?: string, padding = '') =>
  edmRecord(about(id), title, declaration, padding);
/** A valid record whose bytes are cut, spliced or prefixed by `f`. */
const spliced = (id: string, f: (xml: string) => string) => utf8(f(record(id)));

const ok = (check?: (content: string) => string | undefined): Expected => ({ status: 'success', check });
const fail = (code: string, message?: RegExp): Expected => ({ status: 'fail', code, message });
const parseError = (message?: RegExp) => fail('XML_PARSE', message);
/** The harvested content must hold `text` (decoded correctly, nothing replaced by U+FFFD). */
const holds = (text: string) => (content: string) =>
  content.includes(text) && !content.includes('\ufffd') ? undefined : `content lacks ${JSON.stringify(text)}`;

/** Each builder gets the case id and returns the bytes; ids are `<family>-<nn>`. */
interface Builder {
  what: string;
  bytes: (id: string) => Buffer;
  expect: Expected;
}

const STRUCTURE: Builder[] = [
  {
    what: 'document cut in the middle of an element',
    bytes: (id) => spliced(id, (x) => x.slice(0, x.indexOf('<ore:Aggregation') + 8)),
    expect: parseError(),
  },
  {
    what: 'two root elements',
    bytes: (id) => spliced(id, (x) => x + '<rdf:RDF xmlns:rdf="' + RDF + '"/>'),
    expect: parseError(),
  },
  { what: 'text after the root element', bytes: (id) => spliced(id, (x) => x + 'trailing text'), expect: parseError() },
  {
    what: 'an element never closed',
    bytes: (id) => spliced(id, (x) => x.replace('</dc:title>', '')),
    expect: parseError(),
  },
  {
    what: 'mismatched end tag',
    bytes: (id) => spliced(id, (x) => x.replace('</dc:title>', '</dc:creator>')),
    expect: parseError(),
  },
  {
    what: 'reference to an undefined entity',
    bytes: (id) => utf8(record(id, 'a &bogus; title')),
    expect: parseError(),
  },
  {
    what: 'billion laughs (nested internal entities)',
    bytes: (id) =>
      spliced(id, (x) =>
        x
          .replace(
            '<rdf:RDF',
            '<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n<rdf:RDF',
          )
          .replace('<dc:title>Title', '<dc:title>&d;&d;&d;&d;'),
      ),
    expect: parseError(),
  },
  {
    what: 'external entity naming a local file (XXE)',
    bytes: (id) =>
      spliced(id, (x) =>
        x
          .replace('<rdf:RDF', '<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<rdf:RDF')
          .replace('<dc:title>Title', '<dc:title>&x;'),
      ),
    expect: parseError(),
  },
  {
    what: 'external entity naming a URL on the canary server (XXE over HTTP)',
    bytes: (id) =>
      spliced(id, (x) =>
        x
          .replace('<rdf:RDF', `<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "${CANARY}/xxe-entity">]>\n<rdf:RDF`)
          .replace('<dc:title>Title', '<dc:title>&x;'),
      ),
    expect: parseError(),
  },
  {
    what: 'external DTD on the canary server',
    bytes: (id) =>
      spliced(id, (x) => x.replace('<rdf:RDF', `<!DOCTYPE rdf:RDF SYSTEM "${CANARY}/external.dtd">\n<rdf:RDF`)),
    expect: parseError(),
  },
  {
    what: 'a DOCTYPE naming only the root (accepted and ignored, as the sorter of Metis reads it)',
    bytes: (id) => spliced(id, (x) => x.replace('<rdf:RDF', '<!DOCTYPE rdf:RDF>\n<rdf:RDF')),
    expect: ok(),
  },
  {
    what: 'parameter entity fetching from the canary server',
    bytes: (id) =>
      spliced(id, (x) =>
        x.replace('<rdf:RDF', `<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "${CANARY}/param.dtd"> %p;]>\n<rdf:RDF`),
      ),
    expect: parseError(),
  },
  { what: 'a NUL byte in text', bytes: (id) => utf8(record(id, 'a\u0000b')), expect: parseError() },
  {
    what: 'a C0 control character (U+0001) in text',
    bytes: (id) => utf8(record(id, 'a\u0001b')),
    expect: parseError(),
  },
  { what: 'character reference to U+0000', bytes: (id) => utf8(record(id, 'a&#0;b')), expect: parseError() },
  {
    what: 'character reference to a surrogate (U+D800)',
    bytes: (id) => utf8(record(id, 'a&#xD800;b')),
    expect: parseError(),
  },
  { what: 'character reference to U+FFFE', bytes: (id) => utf8(record(id, 'a&#xFFFE;b')), expect: parseError() },
  { what: 'malformed character reference', bytes: (id) => utf8(record(id, 'a&#xZZ;b')), expect: parseError() },
  {
    what: 'character reference beyond U+10FFFF',
    bytes: (id) => utf8(record(id, 'a&#x110000;b')),
    expect: parseError(),
  },
  { what: 'unterminated CDATA section', bytes: (id) => utf8(record(id, '<![CDATA[never ends')), expect: parseError() },
  {
    what: 'comment containing "--"',
    bytes: (id) => spliced(id, (x) => x.replace('<edm:ProvidedCHO', '<!-- a -- b --><edm:ProvidedCHO')),
    expect: parseError(),
  },
  {
    what: 'XML declaration in the middle',
    bytes: (id) => spliced(id, (x) => x.replace('<edm:ProvidedCHO', '<?xml version="1.0"?><edm:ProvidedCHO')),
    expect: parseError(),
  },
  { what: 'XML declaration after a comment', bytes: (id) => utf8('<!-- first -->' + record(id)), expect: parseError() },
  {
    what: 'undeclared namespace prefix',
    bytes: (id) => spliced(id, (x) => x.replace('<dc:title>', '<foo:bar>x</foo:bar><dc:title>')),
    expect: parseError(),
  },
  {
    what: 'duplicate attribute',
    bytes: (id) => spliced(id, (x) => x.replace('<dc:title>', '<dc:title xml:lang="en" xml:lang="fr">')),
    expect: parseError(),
  },
  {
    what: 'the same attribute through two prefixes of one namespace',
    bytes: (id) =>
      spliced(id, (x) => x.replace('<dc:title>', '<dc:title xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2">')),
    expect: parseError(),
  },
  {
    what: 'an illegal character in an element name',
    bytes: (id) => spliced(id, (x) => x.replace('<dc:title>', '<dc:ti{tle>')),
    expect: parseError(),
  },
  {
    what: 'an attribute value without quotes',
    bytes: (id) => spliced(id, (x) => x.replace('<dc:title>', '<dc:title xml:lang=en>')),
    expect: parseError(),
  },
  {
    what: '"<" inside an attribute value',
    bytes: (id) => spliced(id, (x) => x.replace('<dc:title>', '<dc:title xml:lang="e<n">')),
    expect: parseError(),
  },
  { what: 'a lone "&" in text', bytes: (id) => utf8(record(id, 'fish & chips')), expect: parseError() },
  { what: 'an empty file', bytes: () => Buffer.alloc(0), expect: parseError() },
  { what: 'only whitespace', bytes: () => utf8('  \n\t\n'), expect: parseError() },
  { what: 'only a UTF-8 byte-order mark', bytes: () => Buffer.from([0xef, 0xbb, 0xbf]), expect: parseError() },
  {
    what: 'PNG bytes named .xml',
    bytes: () => Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
    expect: parseError(),
  },
  {
    what: 'an HTML page',
    bytes: () => utf8('<!doctype html><html><body><p>Not found<br></body></html>'),
    expect: parseError(),
  },
  { what: 'a JSON document', bytes: () => utf8('{"rdf:RDF": {"edm:ProvidedCHO": "x"}}'), expect: parseError() },
  {
    what: 'nesting 5,000 levels deep',
    bytes: (id) => utf8(record(id, 'Title', undefined, nested(5_000))),
    expect: parseError(/deep|depth|nest/i),
  },
  {
    what: 'nesting 100,000 levels deep',
    bytes: (id) => utf8(record(id, 'Title', undefined, nested(100_000))),
    expect: parseError(/deep|depth|nest/i),
  },
  {
    what: 'version="1.1" declared (Xerces reads XML 1.1)',
    bytes: (id) => utf8(record(id, 'Title', '<?xml version="1.1" encoding="UTF-8"?>')),
    expect: ok(),
  },
];

const SIZE: Builder[] = [
  {
    what: '60,000 namespace declarations on one element',
    bytes: (id) =>
      utf8(record(id, 'Title', undefined, `<rdf:Description${repeat(60_000, (i) => ` xmlns:p${i}="urn:ns:${i}"`)}/>`)),
    expect: parseError(/namespace declarations/),
  },
  {
    what: '100,000 attributes on one element (read in linear time)',
    bytes: (id) => utf8(record(id, 'Title', undefined, `<rdf:Description${repeat(100_000, (i) => ` a${i}="v"`)}/>`)),
    expect: ok(),
  },
  {
    what: '200,000 sibling elements',
    bytes: (id) => utf8(record(id, 'Title', undefined, '<rdf:Description/>'.repeat(200_000))),
    expect: ok(),
  },
  { what: 'a 5 MB title', bytes: (id) => utf8(record(id, 'x'.repeat(5 * 1024 * 1024))), expect: ok() },
  {
    what: 'a 200,000-character attribute value',
    bytes: (id) => spliced(id, (x) => x.replace('<dc:title>', `<dc:title xml:lang="${'l'.repeat(200_000)}">`)),
    expect: ok(),
  },
  {
    what: 'a 10,000-character element name',
    bytes: (id) => spliced(id, (x) => x.replace('<dc:title>', `<dc:${'t'.repeat(10_000)}/><dc:title>`)),
    expect: ok(),
  },
  {
    what: '1 MB of comments',
    bytes: (id) =>
      spliced(id, (x) => x.replace('<edm:ProvidedCHO', `<!--${'c'.repeat(1024 * 1024)}--><edm:ProvidedCHO`)),
    expect: ok(),
  },
  {
    what: '10,000 processing instructions',
    bytes: (id) => spliced(id, (x) => x.replace('<edm:ProvidedCHO', '<?pi data?>'.repeat(10_000) + '<edm:ProvidedCHO')),
    expect: ok(),
  },
];

/** `n` nested elements inside the record (after the ProvidedCHO). */
const nested = (n: number) => '<rdf:Description>'.repeat(n) + '</rdf:Description>'.repeat(n);
const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');

const declared = (enc: string) => `<?xml version="1.0" encoding="${enc}"?>`;

const ENCODING: Builder[] = [
  {
    what: 'an invalid UTF-8 byte (0xFF)',
    bytes: (id) =>
      Buffer.concat([utf8(record(id, 'a')).subarray(0, 300), Buffer.from([0xff]), utf8(record(id, 'a')).subarray(300)]),
    expect: parseError(/offset|byte/i),
  },
  {
    what: 'an overlong UTF-8 sequence (C0 AF)',
    bytes: (id) => titled(id, Buffer.from([0xc0, 0xaf])),
    expect: parseError(/offset|byte/i),
  },
  {
    what: 'a UTF-8-encoded surrogate (ED A0 80)',
    bytes: (id) => titled(id, Buffer.from([0xed, 0xa0, 0x80])),
    expect: parseError(/offset|byte/i),
  },
  {
    what: 'a multibyte sequence cut short',
    bytes: (id) => titled(id, Buffer.from([0xe2, 0x82])),
    expect: parseError(/offset|byte/i),
  },
  {
    what: 'a continuation byte alone (0x80)',
    bytes: (id) => titled(id, Buffer.from([0x80])),
    expect: parseError(/offset|byte/i),
  },
  {
    what: 'ISO-8859-1 declared, é as 0xE9',
    bytes: (id) => Buffer.from(record(id, 'caf\u00e9', declared('ISO-8859-1')), 'latin1'),
    expect: ok(holds('café')),
  },
  {
    what: 'windows-1252 declared, € as 0x80',
    bytes: (id) => Buffer.from(record(id, 'price \u0080', declared('windows-1252')), 'latin1'),
    expect: ok(holds('price €')),
  },
  {
    what: 'UTF-16 LE with a byte-order mark',
    bytes: (id) => utf16(record(id, 'żółw', declared('UTF-16')), 'le', true),
    expect: ok(holds('żółw')),
  },
  {
    what: 'UTF-16 BE with a byte-order mark',
    bytes: (id) => utf16(record(id, 'żółw', declared('UTF-16')), 'be', true),
    expect: ok(holds('żółw')),
  },
  {
    what: 'UTF-16 LE without a byte-order mark',
    bytes: (id) => utf16(record(id, 'Ωμέγα', declared('UTF-16LE')), 'le', false),
    expect: ok(holds('Ωμέγα')),
  },
  {
    what: 'UTF-16 BE without a byte-order mark',
    bytes: (id) => utf16(record(id, 'Ωμέγα', declared('UTF-16BE')), 'be', false),
    expect: ok(holds('Ωμέγα')),
  },
  {
    what: 'UTF-8 with a byte-order mark',
    bytes: (id) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(record(id, 'naïve'))]),
    expect: ok(holds('naïve')),
  },
  {
    what: 'an unknown declared encoding',
    bytes: (id) => utf8(record(id, 'x', declared('x-klingon'))),
    expect: parseError(/encoding/i),
  },
  { what: 'UTF-32 bytes', bytes: (id) => utf32(record(id, 'x', declared('UTF-32'))), expect: parseError() },
  {
    what: 'UTF-16 with an odd number of bytes',
    bytes: (id) => Buffer.concat([utf16(record(id, 'x', declared('UTF-16')), 'le', true), Buffer.from([0x3c])]),
    expect: parseError(),
  },
  {
    what: 'UTF-16 with a lone surrogate',
    bytes: (id) => utf16(record(id, '\ud800x', declared('UTF-16')), 'le', true),
    expect: parseError(),
  },
  {
    what: 'ISO-8859-1 declared, UTF-8 bytes (mojibake, still valid)',
    bytes: (id) => utf8(record(id, 'café', declared('ISO-8859-1'))),
    expect: ok(holds('cafÃ©')),
  },
];

/** A valid record whose title holds `raw` bytes between "a" and "b". */
function titled(id: string, raw: Buffer): Buffer {
  const [head, tail] = record(id, 'a\u0001b').split('\u0001');
  return Buffer.concat([utf8(head!), raw, utf8(tail!)]);
}

function utf32(text: string): Buffer {
  const out = Buffer.alloc(text.length * 4 + 4);
  out.writeUInt32LE(0xfeff, 0);
  let o = 4;
  for (const ch of text) {
    out.writeUInt32LE(ch.codePointAt(0)!, o);
    o += 4;
  }
  return out.subarray(0, o);
}

const withAbout = (value: string) => (id: string) => utf8(edmRecord(value, `case ${id}`));

const IDENTIFIERS: Builder[] = [
  {
    what: 'rdf:about of 10 KB random characters',
    bytes: withAbout(`http://corpus.example.org/long/${randomChars(10_000, 7)}`),
    expect: fail('RECORD_ID_TOO_LONG'),
  },
  {
    what: 'rdf:about of 1 MB',
    bytes: withAbout(`http://corpus.example.org/huge/${'a'.repeat(1024 * 1024)}`),
    expect: fail('RECORD_ID_TOO_LONG'),
  },
  { what: 'an empty rdf:about', bytes: withAbout(''), expect: fail('NO_PROVIDER_ID') },
  { what: 'rdf:about of spaces only', bytes: withAbout('   '), expect: fail('NO_PROVIDER_ID') },
  {
    what: 'no rdf:about on the ProvidedCHO',
    bytes: (id) => spliced(id, (x) => x.replace(/<edm:ProvidedCHO rdf:about="[^"]*">/, '<edm:ProvidedCHO>')),
    expect: fail('NO_PROVIDER_ID'),
  },
  {
    what: 'no ProvidedCHO at all',
    bytes: (id) => spliced(id, (x) => x.replace(/<edm:ProvidedCHO[\s\S]*?<\/edm:ProvidedCHO>/, '')),
    expect: fail('NO_PROVIDER_ID'),
  },
  {
    what: 'rdf:about with a path-traversal value',
    bytes: (id) => utf8(edmRecord(`../../../../etc/passwd-${id}`)),
    expect: ok(),
  },
  {
    what: 'rdf:about with SQL in it',
    bytes: (id) => utf8(edmRecord(`http://x.org/${id}');DROP TABLE record_result;--`)),
    expect: ok(),
  },
  {
    what: 'rdf:about with RTL overrides and emoji',
    bytes: (id) => utf8(edmRecord(`http://x.org/${id}/\u202e\u{1F600}\u200b`)),
    expect: ok(),
  },
  {
    what: 'rdf:about with a tab and a newline (as references)',
    bytes: (id) => utf8(edmRecord(`http://x.org/${id}/a&#9;b&#10;c`)),
    expect: ok(),
  },
  {
    what: 'rdf:about of 2,000 characters (over the 255 of a Europeana id)',
    bytes: (id) => utf8(edmRecord(`http://x.org/${id}/${'p'.repeat(2_000)}`)),
    expect: fail('RECORD_ID_TOO_LONG'),
  },
  {
    what: 'a title with markup and script text (escaped)',
    bytes: (id) => utf8(record(id, '&lt;script&gt;alert(1)&lt;/script&gt;')),
    expect: ok(holds('&lt;script&gt;')),
  },
  {
    what: 'a title with SQL and quote characters',
    bytes: (id) => utf8(record(id, `'); DELETE FROM task; -- "\\`)),
    expect: ok(holds('DELETE FROM task')),
  },
  {
    what: 'a title of 10,000 combining characters',
    bytes: (id) => utf8(record(id, 'e' + '\u0301'.repeat(10_000))),
    expect: ok(),
  },
  {
    what: 'characters outside the BMP',
    bytes: (id) => utf8(record(id, '\u{1D11E}\u{10FFFD}')),
    expect: ok(holds('\u{1D11E}')),
  },
];

const FAMILIES: Record<string, Builder[]> = {
  structure: STRUCTURE,
  size: SIZE,
  encoding: ENCODING,
  identifier: IDENTIFIERS,
};

/** The canary server's origin; set by the suite before `recordCases()` (nothing may ever reach it). */
let CANARY = 'http://127.0.0.1:9';
export function setCanary(origin: string): void {
  CANARY = origin;
}

export function recordCases(): RecordCase[] {
  const cases: RecordCase[] = [];
  for (const [family, builders] of Object.entries(FAMILIES)) {
    builders.forEach((b, i) => {
      const id = `${family}-${String(i + 1).padStart(2, '0')}`;
      cases.push({ id, family, what: b.what, bytes: b.bytes(id), expect: b.expect });
    });
  }
  return cases;
}
