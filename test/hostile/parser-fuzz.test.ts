/**
 * Differential fuzz test of the record parser (src/edm/xml-parse.ts) against the saxes oracle
 * (test/support/xml-oracle.ts), issue #12 deliver item 1: mutants of the fixture records
 * (support/parser-mutants.ts, fixed seed) must get the same verdict from both, and when accepted
 * the same tree (names, namespaces, attributes, text, comments, lines).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseXml, XmlParseError } from '../../src/edm/xml.ts';
import { parseXmlReference } from '../support/xml-oracle.ts';
import { FIXTURES } from '../transform/fixtures.ts';
import { mutants } from './support/parser-mutants.ts';

const MUTANTS = 3000;
const SEED = 12;

/** The fixture records under 20 KB, in a fixed order. */
function records(): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.xml$/.test(e) && st.size < 20_000) files.push(p);
    }
  };
  walk(fileURLToPath(FIXTURES));
  return files.map((f) => readFileSync(f, 'utf8'));
}

/**
 * saxes trims namespace names (`xmlns:p=" urn:x "` binds `urn:x`); Namespaces in XML does not, and
 * neither does the production parser (nor Xerces, which Metis runs): the one known difference, so
 * namespace names are compared trimmed.
 */
const trimNs = (key: string, value: unknown) => (key === 'ns' && typeof value === 'string' ? value.trim() : value);

function verdict(parse: () => unknown): { tree?: string; error?: string } {
  try {
    return { tree: JSON.stringify(parse(), trimNs) };
  } catch (e) {
    assert.ok(e instanceof XmlParseError, `not an XmlParseError: ${String(e)}`);
    return { error: e.message };
  }
}

describe('record parser against the saxes oracle on mutated fixture records', () => {
  it(`${MUTANTS} mutants (seed ${SEED}): same verdict, same tree when accepted`, () => {
    const base = records();
    assert.ok(base.length >= 20, `only ${base.length} fixture records`);
    let accepted = 0;
    let rejected = 0;
    const mismatches: string[] = [];
    let i = 0;
    for (const xml of mutants(base, MUTANTS, SEED)) {
      const fast = verdict(() => parseXml(xml));
      const oracle = verdict(() => parseXmlReference(xml));
      if (fast.tree !== undefined && oracle.tree !== undefined) {
        if (fast.tree === oracle.tree) accepted++;
        else mismatches.push(`#${i}: trees differ`);
      } else if (fast.error !== undefined && oracle.error !== undefined) rejected++;
      else mismatches.push(`#${i}: production ${fast.error ?? 'accepts'}; oracle ${oracle.error ?? 'accepts'}`);
      i++;
    }
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
    // Both verdicts must be exercised, or the mutations are too weak (or too strong) to mean anything.
    assert.ok(accepted > MUTANTS / 10, `accepted ${accepted}`);
    assert.ok(rejected > MUTANTS / 10, `rejected ${rejected}`);
  });
});
