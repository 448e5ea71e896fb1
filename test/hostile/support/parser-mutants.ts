/**
 * Mutated fixture records for the differential fuzz test (test/hostile/parser-fuzz.test.ts):
 * a seeded generator (same seed → same mutants, on every machine) applies one to three small edits
 * to a well-formed record, the kind that break or bend XML: markup characters, references,
 * namespace declarations, duplicated attributes, cut or repeated spans.
 */

import { prng } from '../../support/prng.ts';

const SNIPPETS = [
  '<',
  '>',
  '&',
  '&amp;',
  '&lt;',
  '&unknown;',
  '&#0;',
  '&#x41;',
  '&#xD800;',
  '&#65;',
  '"',
  "'",
  '=',
  '/>',
  '</a>',
  '<a>',
  '<a/>',
  '<x:a/>',
  ']]>',
  '<!--',
  '-->',
  '<!-- c -->',
  '<!-- a -- b -->',
  '<![CDATA[x<y]]>',
  '<?pi data?>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE r>',
  '\r',
  '\r\n',
  '\t',
  '\u0001',
  '\uFFFE',
  'é',
  '\u{1F600}',
  ' a="1"',
  ' a="1" a="2"',
  ' xmlns="urn:d"',
  ' xmlns=""',
  ' xmlns:x="urn:x"',
  ' xmlns:x=""',
  ' xmlns:xml="urn:bad"',
  ' xmlns:xmlns="urn:bad"',
  ' xml:lang="en"',
  ' rdf:about="x"',
  ' x:y="1"',
];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)];
}

/** Offsets inside or next to markup are where mutations matter most: half the time, pick one. */
function position(rnd: () => number, s: string): number {
  const at = Math.floor(rnd() * (s.length + 1));
  if (rnd() < 0.5) return at;
  const lt = s.indexOf(rnd() < 0.5 ? '<' : ' ', at);
  return lt < 0 ? at : lt + Math.floor(rnd() * 3);
}

function mutateOnce(rnd: () => number, s: string): string {
  const at = Math.min(position(rnd, s), s.length);
  switch (Math.floor(rnd() * 6)) {
    case 0:
    case 1:
      return s.slice(0, at) + pick(rnd, SNIPPETS) + s.slice(at);
    case 2: {
      const len = 1 + Math.floor(rnd() * 8);
      return s.slice(0, at) + s.slice(at + len);
    }
    case 3: {
      const len = 1 + Math.floor(rnd() * 40);
      return s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
    }
    case 4: {
      // Repeat an attribute of the tag at or after `at` (a duplicate, maybe through another prefix).
      const m = / ([\w:]+)="[^"<]*"/y;
      const start = s.indexOf(' ', at);
      if (start < 0) return s;
      m.lastIndex = start;
      const hit = m.exec(s);
      return hit ? s.slice(0, start) + hit[0] + s.slice(start) : s;
    }
    default: {
      const ch = s.charAt(at);
      return s.slice(0, at) + pick(rnd, ['<', '>', '"', '&', ':', '/', ' ', '=', 'x']) + s.slice(at + (ch ? 1 : 0));
    }
  }
}

/** `count` mutants of `records` (round robin), deterministic for a given seed. */
export function* mutants(records: readonly string[], count: number, seed: number): Generator<string> {
  const rnd = prng(seed);
  for (let i = 0; i < count; i++) {
    let s = records[i % records.length];
    const edits = 1 + Math.floor(rnd() * 3);
    for (let e = 0; e < edits; e++) s = mutateOnce(rnd, s);
    yield s;
  }
}
