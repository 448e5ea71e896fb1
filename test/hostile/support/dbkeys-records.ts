/**
 * Generated hostile records for the database-key tests (issue #12, row 2): EDM records whose
 * ProvidedCHO rdf:about is kilobytes of random characters, and outcome events carrying values
 * PostgreSQL refuses (NUL characters, lone surrogates, ids and messages over index-row limits).
 * Everything is built in code from a seeded generator: the same seed gives the same bytes.
 */
import { demoRecord, demoIdentifier } from '../../../src/steps/harvest/oai/demo-dataset.ts';
import type { RepositoryRecord } from '../../../src/steps/harvest/oai/demo-server.ts';
import { prng as seeded } from '../../support/prng.ts';

export { seeded };

/** Characters of a random rdf:about: ASCII letters and digits, URI punctuation, CJK, accented Latin, an emoji. */
const ALPHABET = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  ...':/.-_~?=#+%;,!*()@$',
  ...'éüñßøåçž',
  ...'漢字記録博物館書',
  '😀',
];

/** `chars` random characters (code points) from ALPHABET. */
export function randomChars(chars: number, seed = 1): string {
  const next = seeded(seed);
  let s = '';
  for (let i = 0; i < chars; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Demo record `index` (valid: no defect) with its ProvidedCHO rdf:about replaced by `about`. */
export function recordWithAbout(index: number, about: string): string {
  const xml = demoRecord(index, { invalidRatio: 0 }).xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const replaced = xml.replace(
    /<edm:ProvidedCHO rdf:about="[^"]*"/,
    `<edm:ProvidedCHO rdf:about="${escapeAttr(about)}"`,
  );
  if (replaced === xml) throw new Error('demo record has no ProvidedCHO rdf:about to replace');
  return replaced;
}

/**
 * An OAI-PMH repository of `size` valid demo records where record `i` has the rdf:about
 * `abouts.get(i)` when given (e.g. 10 KB of random characters).
 */
export function repositoryWithAbouts(abouts: Map<number, string>): (index: number) => RepositoryRecord {
  return (index) => ({
    identifier: demoIdentifier(index),
    datestamp: '2024-01-01',
    setSpecs: ['demo'],
    deleted: false,
    get metadata() {
      const about = abouts.get(index);
      return about === undefined
        ? demoRecord(index, { invalidRatio: 0 }).xml.replace(/^<\?xml[^>]*\?>\s*/, '')
        : recordWithAbout(index, about);
    },
  });
}

/** `count` random lower-case words of 7 letters: about 8 bytes each, hardly any repeated. */
export function randomWords(count: number, seed = 1): string {
  const next = seeded(seed);
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    let w = '';
    for (let j = 0; j < 7; j++) w += String.fromCharCode(97 + Math.floor(next() * 26));
    words.push(w);
  }
  return words.join(' ');
}

/** An EDM internal record with `text` put in front of its first dc:description. */
export function withLongDescription(content: string, text: string): string {
  const out = content.replace(/(<dc:description[^>]*>)/, `$1${text} `);
  if (out === content) throw new Error('record has no dc:description');
  return out;
}
