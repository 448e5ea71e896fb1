/** Problem patterns (metis-steps.md §6) on the Metis/Sandbox fixtures, plus P3/P5 (no fixture) on hand-built records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectRecordPatterns, longestCommonSubsequence, PatternAggregator, patternOutcome } from '../../src/steps/patterns/index.ts';
import { buildRecord } from '../tiers/edm-builder.ts';

const metis = new URL('../../../shared/fixtures/metis/metis-framework/metis-pattern-analysis/src/test/resources/', import.meta.url);
const sandbox = new URL('../../../shared/fixtures/metis/metis-sandbox/src/test/resources/record.problempatterns/', import.meta.url);
const read = (base: URL, name: string) => readFileSync(new URL(name, base), 'utf8');
const ids = (xml: string) => detectRecordPatterns(xml).patterns.map((p) => p.id);

test('each pattern fixture yields exactly its pattern; the clean record yields none', () => {
  assert.deepEqual(ids(read(metis, 'europeana_record_no_problem_patterns.xml')), []);
  assert.deepEqual(ids(read(metis, 'europeana_record_with_P2.xml')), ['P2']);
  assert.deepEqual(ids(read(metis, 'europeana_record_with_P6.xml')), ['P6']);
  assert.deepEqual(ids(read(metis, 'europeana_record_with_P7.xml')), ['P7']);
  assert.deepEqual(ids(read(metis, 'europeana_record_with_P7_descriptions_empty.xml')), ['P7']);
  assert.deepEqual(ids(read(metis, 'europeana_record_with_P9.xml')), ['P9']);
  assert.deepEqual(ids(read(metis, 'europeana_record_with_P12.xml')), ['P12']);
});

test('occurrence messages: P2 lower-cased and abbreviated to 50 characters, P9 per language', () => {
  const p2 = detectRecordPatterns(read(metis, 'europeana_record_with_P2.xml')).patterns[0];
  assert.deepEqual(p2.occurrences, ['Equal(lower cased) title and description: same title and element more than 50 charactersa...']);
  assert.equal(p2.title, 'Equal title and description fields');
  // P9: the untagged 43-char description and the Greek 50-char one are short; English has a 51-char one.
  const p9 = detectRecordPatterns(read(metis, 'europeana_record_with_P9.xml')).patterns[0];
  assert.deepEqual(p9.occurrences, [
    'Very short description: This description is less than 50 characters',
    'Very short description: el - This description is exactly 50 charactersAAAA',
  ]);
  const p12 = detectRecordPatterns(read(metis, 'europeana_record_with_P12.xml')).patterns[0];
  assert.equal(p12.occurrences.length, 1); // the 71-character title; the tab-padded one is 48
});

test('P3 near-identical title and description; P5 unrecognizable characters or an identifier in the title', () => {
  const near = buildRecord({
    type: 'TEXT',
    providerProxy:
      '<dc:description xml:lang="en">The harbour of Ostend in winter, seen from the dike</dc:description>' +
      '<dc:title xml:lang="en">The harbour of Ostend in winter seen from the dike!</dc:title>',
  });
  assert.deepEqual(ids(near), ['P3']); // the description has 51 characters: not P9
  assert.match(detectRecordPatterns(near).patterns[0].occurrences[0], /^Near-Identical title and description fields: The harbour .* \| The harbour/);
  // Same texts in different languages are not compared.
  const otherLang = near.replace('<dc:title xml:lang="en">', '<dc:title xml:lang="nl">');
  assert.deepEqual(ids(otherLang), []);
  const symbols = buildRecord({ type: 'TEXT', providerProxy: '<dc:description>A long enough description of this object, more than fifty characters.</dc:description><dc:title>#### ** ++ title</dc:title>' });
  assert.deepEqual(ids(symbols), ['P5']);
  const fiveSymbols = symbols.replace('#### ** ++ title', '## ** + title');
  assert.deepEqual(ids(fiveSymbols), []); // exactly 5 is not "more than 5"
  const withId = buildRecord({ type: 'TEXT', providerProxy: '<dc:description>A long enough description of this object, more than fifty characters.</dc:description><dc:identifier>INV-123</dc:identifier><dc:title>Photo INV-123</dc:title>' });
  assert.deepEqual(ids(withId), ['P5']);
  assert.equal(longestCommonSubsequence('ABCBDAB', 'BDCABA'), 4);
});

test('P1 over the dataset: the same title in different case in two Sandbox records', () => {
  const agg = new PatternAggregator();
  const lower = detectRecordPatterns(read(sandbox, 'P1_lowercase_title.xml'));
  const upper = detectRecordPatterns(read(sandbox, 'P1_uppercase_title.xml'));
  const other = detectRecordPatterns(read(sandbox, 'record_pattern_problem.xml'));
  assert.deepEqual([lower.patterns, upper.patterns], [[], []]); // nothing at record level
  agg.add(lower.recordId!, lower);
  agg.add(upper.recordId!, upper);
  agg.add(other.recordId!, other);
  const result = agg.result();
  assert.deepEqual(result.map((p) => [p.id, p.recordOccurrences]), [['P1', 2], ['P9', 1]]);
  assert.deepEqual(result[0].records.map((r) => r.recordId), ['/21/_providedCHO_MHC_EMC_10_ms_07_jpg', '/21/_providedCHO_MHC_EMC_10_ms_06']);
  assert.deepEqual(result[0].records[0].occurrences, ['Systematic use of the same title: lowercase or uppercase title']);
  // A lone record has no P1.
  const single = new PatternAggregator();
  single.add(lower.recordId!, lower);
  assert.deepEqual(single.result(), []);
});

test('as a step outcome, patterns are warnings and the record continues', () => {
  const outcome = patternOutcome('/1/12944', detectRecordPatterns(read(metis, 'europeana_record_with_P6.xml')));
  assert.equal(outcome.status, 'warn');
  assert.deepEqual(outcome.messages.map((m) => m.code), ['PATTERN_P6']);
  assert.equal(patternOutcome('/x', detectRecordPatterns(read(metis, 'europeana_record_no_problem_patterns.xml'))).status, 'success');
});
