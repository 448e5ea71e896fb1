/**
 * Input → output vectors ported from Metis's own unit tests (europeana/metis-normalization
 * src/test/java/.../dates/extraction/extractors/*Test.java and sanitize/DateFieldSanitizerTest.java),
 * run against the single extractor or sanitizing round they test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockAt } from '../../src/steps/normalize/dates/edtf.ts';
import { formatEdtf } from '../../src/steps/normalize/dates/edtf.ts';
import { runExtractor, type DateExtractor } from '../../src/steps/normalize/dates/extractor-support.ts';
import { centuryNumeric, centuryRoman, decade, edtf, edtfRange, longNegativeYearRange } from '../../src/steps/normalize/dates/extractors-core.ts';
import { bcAd, bcAdRange, dcmiPeriod, numericPartsExtractor } from '../../src/steps/normalize/dates/extractors-text.ts';
import { DATE_ROUND_1, DATE_ROUND_2, GENERIC_ROUND, sanitize, type SanitizeOperationId } from '../../src/steps/normalize/dates/sanitize.ts';

const clock = clockAt(new Date('2026-11-25T12:00:00Z'));

function check(extractor: DateExtractor, vectors: Array<[string, string | null]>, flexible = true, label?: Record<string, string | undefined>, at = clock) {
  const wrong: string[] = [];
  for (const [input, expected] of vectors) {
    const result = runExtractor(extractor, input, { flexible, clock: at });
    const actual = result ? formatEdtf(result.date) : null;
    if (actual !== expected) wrong.push(`${JSON.stringify(input)}: expected ${expected}, got ${actual}`);
    if (label && input in label && result?.label !== label[input]) wrong.push(`${JSON.stringify(input)}: label ${result?.label}`);
  }
  assert.deepEqual(wrong, []);
}

test('EdtfDateExtractorTest', () => {
  check(edtf, [
    ['1989-11-01', '1989-11-01'],
    ['0989-11-01', '0989-11-01'],
    ['198-11-01', null],
    ['1989-11-1', null],
    ['1989-1-01', null],
    ['1989/11/01', null],
    ['1989-11-01T23:59:59', '1989-11-01'],
    ['1989-11-01T23', '1989-11-01'],
    ['1989-11-01T', '1989-11-01'],
    ['1989-11-01t23:59:59', null],
    ['1989-11-01 23:59:59', null],
    ['1989-11-01T23:59:59Z', '1989-11-01'],
    ['1989-11-01T23:59:59-04:44', '1989-11-01'],
    ['1989-11', '1989-11'],
    ['198-11', null],
    ['1989-1', null],
    ['1989/11', null],
    ['1989', '1989'],
    ['0989', '0989'],
    ['198', null],
    ['Y-123456789', 'Y-123456789'],
    ['Y-00010000', 'Y-10000'],
    ['-123456789', null],
    ['Y123456789', null],
    ['Y1234567890', null],
    ['Y0', null],
    ['Y-1', null],
    ['Y', null],
    ['YnonValidNumber', null],
    ['1989?', '1989?'],
    ['1989~', '1989~'],
    ['1989-11?', '1989-11?'],
    ['1989-11-01%', '1989-11-01%'],
    ['-1989', '-1989'],
    ['-9999', '-9999'],
    ['-0989', '-0989'],
    ['-11989', null],
    ['-10000-01-01', null],
    ['-10000T00:00:00', null],
    ['-9999-01-01', '-9999-01-01'],
  ]);
  check(edtf, [
    ['Y-10000', 'Y-10000'],
    ['-10000', null],
    ['Y-9999', null],
    ['-9999', null],
    ['-9999-01-01', '-9999-01-01'],
  ], false);
});

test('EdtfRangeDateExtractorTest', () => {
  check(edtfRange, [
    ['1989/1990', '1989/1990'],
    ['1989-11-01/1990-11', '1989-11-01/1990-11'],
    ['1989-00/1990-00', null],
    ['1989 / 1990', '1989/1990'],
    ['1989-1990', null],
    ['Y-123456789/Y-123456788', 'Y-123456789/Y-123456788'],
    ['Y-10000/Y-9999', null],
    ['-123456789/-123456788', null],
    ['../1989-11-01~', '../1989-11-01~'],
    ['.. / 1989-11-01', '../1989-11-01'],
    ['1989%/..', '1989%/..'],
    ['../..', null],
    ['/1989-11?', '../1989-11?'],
    [' / 1989-11-01', '../1989-11-01'],
    ['1989-11-01 / ', '1989-11-01/..'],
    ['/', null],
  ]);
});

test('DcmiPeriodDateExtractorTest', () => {
  const labels = { 'name=The Great Depression; start=1929; end=1939;': 'The Great Depression', 'name=     The Great Depression; start=1929; end=1939;': 'The Great Depression', 'The Great Depression; start=1929; end=1939;': undefined };
  check(dcmiPeriod, [
    ['name=Middle Jurassic; start=-174100000; end=-163500000', null],
    ['start=-9999;', '-9999/..'],
    ['start=-10000;', null],
    ['start=Y-10000;', null],
    ['name=The Great Depression; start=1929; end=1939;', '1929/1939'],
    ['name=Haagse International Arts Festival, 2000; start=2000-01-26; end=2000-02-20;', '2000-01-26/2000-02-20'],
    ['start=1998-09-25T14:20:00+10:00;  scheme=W3C-DTF;', '1998-09-25/..'],
    ['end=1998-09-25T16:40+10:00; start=1998/01/01 scheme=W3C-DTF;', '../1998-09-25'],
    ['name=The Great Depression; start=1929; end=1939; scheme=W3CDTF;', '1929/1939'],
    ['scheme=W3C-DTF; name=The Great Depression; start=1929; end=1939;', '1929/1939'],
    ['name=The Great Depression; start=1929; end=1939; scheme=W3C-', null],
    ['name=The Great Depression; start=1929; end=1939; name=The Great Depression;', null],
    ['name=The Great Depression; end=1939; start=1929; end=1939;', null],
    ['name=The Great Depression; start=; end=;', null],
    ['name=The Great Depression; start=; end=1939;', '../1939'],
    ['end=1998-09-25T16:40+10:00; start=1998-1986; scheme=W3C-DTF;', null],
    ['name=     The Great Depression; start=1929; end=1939;', '1929/1939'],
    ['The Great Depression; start=1929; end=1939;', '1929/1939'],
  ], true, labels);
  check(dcmiPeriod, [['start=-9999-01-01;', '-9999-01-01/..'], ['end=-10000-12-31;', null]], false);
});

test('BcAdDateExtractorTest', () => {
  check(bcAd, [
    ['1989 пр.Хр.', '-1988'], ['1989 сл.Хр.', '1989'], ['1989 pr. Kr.', '-1988'], ['1989 po. Kr.', '1989'],
    ['1989 př. n. l.', '-1988'], ['1989 n. l.', '1989'], ['1989 f.Kr.', '-1988'], ['1989 e.Kr.', '1989'],
    ['1989 v.Chr.', '-1988'], ['1989 n.Chr.', '1989'], ['1989 BC', '-1988'], ['1989 AD', '1989'],
    ['1989 eKr', '-1988'], ['1989 pKr', '1989'], ['1989 eKr.', '-1988'], ['1989 jKr.', '1989'],
    ['1989 av. J.-C.', '-1988'], ['1989 ap. J.-C.', '1989'], ['1989 v. Chr.', '-1988'], ['1989 n. Chr.', '1989'],
    ['1989 π.Χ.', '-1988'], ['1989 μ.Χ.', '1989'], ['1989 i. e.', '-1988'], ['1989 i. sz.', '1989'],
    ['1989 RC', '-1988'], ['1989 a.C.', '-1988'], ['1989 d.C.', '1989'], ['1989 p.m.ē.', '-1988'],
    ['1989 m.ē.', '1989'], ['1989 po Kr.', '1989'], ['1989 QK', '-1988'], ['1989 WK', '1989'],
    ['1989 p.n.e.', '-1988'], ['1989 n.e.', '1989'], ['1989 î.Hr.', '-1988'], ['1989 d.Hr.', '1989'],
    ['1989 pred Kr.', '-1988'], ['1989 a. C.', '-1988'], ['1989 d. C.', '1989'],
    ['198 AD', '0198'], ['19 AD', '0019'], ['1 AD', '0001'], ['1 BC', '0000'], ['2 BC', '-0001'],
    ['0 BC', null], ['-1989 BC', null], ['-1989 AD', null],
  ]);
});

test('BcAdRangeDateExtractorTest', () => {
  check(bcAdRange, [
    ['1990 BC-1989 BC', '-1989/-1988'],
    ['1990 BC/1989 BC', '-1989/-1988'],
    ['1990 BC - 1989 BC', '-1989/-1988'],
    ['1990 BC / 1989 BC', '-1989/-1988'],
    ['1990 BC-1 BC', '-1989/0000'],
    ['1990 π.Χ.-1989 π.Χ.', '-1989/-1988'],
    ['1990 π.Χ. / 1989 π.Χ.', '-1989/-1988'],
    ['1989 AD-1990 AD', '1989/1990'],
    ['1989 μ.Χ. - 1990 μ.Χ.', '1989/1990'],
    ['1989 π.Χ.-1989 μ.Χ.', '-1988/1989'],
    ['1989 π.Χ.-1 μ.Χ.', '-1988/0001'],
    ['1990 BC//1989 BC', null],
    ['-1990 BC-1989 BC', null],
    ['-1990 BC--1989 BC', null],
    ['1990 BC , 1989 BC', null],
    ['1989 BC-0 BC', null],
    ['1989 BC-0 AD', null],
  ]);
});

test('NumericPartsDateExtractorTest', () => {
  check(numericPartsExtractor, [
    ['1989 11 01', '1989-11-01'], ['?1989 11 01', '1989-11-01?'], ['1989 1 1?', '1989-01-01?'], ['1989 1', null],
    ['01 11 1989', '1989-11-01'], ['1 1 1989?', '1989-01-01?'], ['1 1989', null],
    ['1989', '1989'], ['?1989?', '1989?'], ['1989/11', '1989-11'], ['?1989.11?', '1989-11?'],
    ['1989-13-32', null], ['989-1-1', '0989-01-01'], ['?989/1-1', '0989-01-01?'], ['9989-99/99', null],
    ['89-01-01', null], ['12345-01-01', null], ['1234-123-12', null],
    ['11-1989', '1989-11'], ['?11/1989?', '1989-11?'], ['01-11-1989', '1989-11-01'], ['32-13-1989', null],
    ['1-1-989', '0989-01-01'], ['?1-1/989', '0989-01-01?'], ['99/99-9989', null], ['01-01-89', null],
    ['1989--11--01', null], ['1989..11..01', null], ['1989//11//01', null], ['198?', null], ['?99/99-989?', null],
    ['198X', '198X'], ['198U', '198X'], ['19--', '19XX'], ['19XX', '19XX'], ['19??', '19XX'], ['19???', '19XX?'],
    ['198-', null], ['198-?', null],
    ['1989.XX', '1989'], ['1989/--', '1989'], ['?1989-UU', '1989?'], ['1989.???', '1989?'], ['198X.XX', '198X'],
    ['19XX.--', '19XX'], ['1989---', null], ['1989.11.XX', '1989-11'], ['198X.11.XX', '198X-11'], ['198X.UU.11', '198X'],
    ['19XX/XX/99', '19XX'], ['19XX-11-99?', null], ['19UU-XX-99?', '19XX?'], ['1989-??-??', '1989'], ['1989-11-xx', '1989-11'],
    ['1989-11---', null], ['1989.11.X', null], ['1989-????', null],
    ['XX.1989', '1989'], ['??-1989', '1989'], ['???.1989', '1989?'], ['--/1989?', '1989?'], ['---1989', null],
    ['XX.11.1989', '1989-11'], ['XX.11.198X', '198X-11'], ['11.UU.198X', '198X'], ['99/XX/19XX', '19XX'],
    ['?99-11-19XX', null], ['?99-XX-19UU', '19XX?'], ['??-??-1989', '1989'], ['uu-11-1989', '1989-11'],
    ['---11-1989', null], ['X.11.1989', null], ['????-1989', null], ['01.01.12345', null],
  ]);
});

test('CenturyNumericDateExtractorTest', () => {
  check(centuryNumeric, [
    ['18..', '18XX'], ['  18..  ', '18XX'], ['?18..', '18XX?'], ['18..?', '18XX?'], ['?18..?', '18XX?'], ['192?', null], ['1..', null],
    ['1st century', '00XX'], ['2nd century', '01XX'], ['3rd century', '02XX'], ['11th century', '10XX'], ['19 century', '18XX'],
    ['19TH century', '18XX'], ['21st century', '20XX'], ['  11th century  ', '10XX'], ['?11th century', '10XX?'],
    ['11th century?', '10XX?'], ['?11th century?', '10XX?'], ['12th century BC', null], ['[10th century]', null],
    ['11thcentury', null], ['11st century', null], ['12rd century', null], ['13st century', null], ['21th century', null],
    ['0st century', null], ['22nd century', null],
  ]);
});

test('CenturyRomaDateExtractorTest', () => {
  check(centuryRoman, [
    ['I', '00XX'], ['IV', '03XX'], ['V', '04XX'], ['IX', '08XX'], ['X', '09XX'], ['XIV', '13XX'], ['XIX', '18XX'], ['XX', '19XX'], ['XXI', '20XX'],
    ['i', '00XX'], ['xvi', '15XX'], ['xxi', '20XX'],
    ['s I', '00XX'], ['s. I', '00XX'], ['S I', '00XX'], ['S.I', '00XX'], ['sec.I', '00XX'], ['SEC. I', '00XX'], ['saec.I', '00XX'], ['SAEC. I', '00XX'],
    ['Ii', '01XX'], ['  s I  ', '00XX'], ['?s. I', '00XX?'], ['sec. I?', '00XX?'], ['?saec. I?', '00XX?'], ['?I?', '00XX?'],
    ['saecI', null], ['secI', null], ['MDCLXX', null], ['IXX', null],
  ]);
  const at = (day: string) => clockAt(new Date(`${day}T00:00:00Z`));
  check(centuryRoman, [['XXII', null]], true, undefined, at('2100-12-31'));
  check(centuryRoman, [['XXII', '21XX'], ['?sec. xxii?', '21XX?']], true, undefined, at('2101-01-01'));
  check(centuryRoman, [['XXXI', '30XX']], true, undefined, at('3001-01-01'));
  check(centuryRoman, [['C', null]], true, undefined, at('9900-12-31'));
  check(centuryRoman, [['C', '99XX'], ['IIII', null], ['IC', null], ['VX', null], ['XXIIII', null], ['', null], ['s.', null], ['s. ?', null]], true, undefined, at('9901-01-01'));
});

test('DecadeDateExtractorTest and LongNegativeYearRangeDateExtractorTest', () => {
  check(decade, [
    ['180x', '180X'], ['180u', '180X'], ['180X', '180X'], ['180U', '180X'], ['  180u  ', '180X'], ['180x?', '180X?'],
    ['180u?', '180X?'], ['180??', '180X?'], ['?180x', '180X?'], ['?180u', '180X?'], ['?180x?', '180X?'], ['?180??', '180X?'],
    ['222u', null],
  ]);
  check(longNegativeYearRange, [
    ['-12345/-12344', 'Y-12345/Y-12344'],
    ['-10001/-10000', 'Y-10001/Y-10000'],
    ['-10000/-09999', null],
    ['-123456789/-123456788', 'Y-123456789/Y-123456788'],
    ['-12345--12344', null],
    ['123456788/123456789', null],
    ['-1234/-1233', null],
    ['-1234567890/-1234567889', null],
  ]);
});

type SanitizeVector = [string, SanitizeOperationId | null, string | null];

function checkSanitize(round: SanitizeOperationId[], vectors: SanitizeVector[]) {
  const wrong: string[] = [];
  for (const [input, operation, expected] of vectors) {
    const result = sanitize(input, round);
    const actual = result ? `${result.operation} ${JSON.stringify(result.value)}` : null;
    const want = expected === null ? null : `${operation} ${JSON.stringify(expected)}`;
    if (actual !== want) wrong.push(`${JSON.stringify(input)}: expected ${want}, got ${actual}`);
  }
  assert.deepEqual(wrong, []);
}

test('DateFieldSanitizerTest: first round for date properties', () => {
  checkSanitize(DATE_ROUND_1, [
    ['textA:textB', 'STARTING_TEXT_UNTIL_FIRST_COLON', 'textB'],
    ['textA: ', null, null],
    ['   :textB', 'STARTING_TEXT_UNTIL_FIRST_COLON', 'textB'],
    ['(textA)textB', 'STARTING_PARENTHESES', 'textB'],
    ['(textA) textB', 'STARTING_PARENTHESES', 'textB'],
    ['(textA)(textB)textC', 'STARTING_PARENTHESES', 'textC'],
    ['(textA)(textB)', null, null],
    ['text(1942-1943)(1950)', 'ENDING_PARENTHESES', 'text'],
    ['text(1942-1943 ) (1928)', 'ENDING_PARENTHESES', 'text'],
    ['[circa AD]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA', 'AD'],
    ['[ca. 123]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA', '123'],
    ['[circa ad][c. 123]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA', 'ad123'],
    ['textA[1942-1943]textB', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS', 'textA1942-1943textB'],
    ['text[1942-1943 ] [1928]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS', 'text1942-1943  1928'],
    [' [textA][ [textB] ]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS', 'textA [textB ]'],
    ['text[[1942-1943]]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS', 'text[1942-1943]'],
    ['ca.2000', 'STARTING_CIRCA', '2000'],
    [' circa 2000', 'STARTING_CIRCA', '2000'],
    ['circa2000', null, null],
    ['textA]textB ]', 'ENDING_CLOSING_SQUARE_BRACKET', 'textA]textB'],
    ['text...', 'ENDING_DOT', 'text..'],
    ['.', null, null],
    ['(circa 2000)', null, null],
  ]);
});

test('DateFieldSanitizerTest: second round for date properties, and the generic round', () => {
  checkSanitize(DATE_ROUND_2, [
    ['text[1942-1943]', 'ENDING_SQUARE_BRACKETS', 'text'],
    ['(circa 2000)', 'CAPTURE_VALUE_IN_PARENTHESES_WITH_CIRCA', '2000'],
    ['(circa ad)(c. 123)', 'CAPTURE_VALUE_IN_PARENTHESES_WITH_CIRCA', 'ad)(c. 123'],
    ['(1942-1943)', 'CAPTURE_VALUE_IN_PARENTHESES', '1942-1943'],
    [' (textA)( textB )', 'CAPTURE_VALUE_IN_PARENTHESES', 'textA)( textB '],
    ['text[1942-1943textB', null, null],
    ['(circa2000', null, null],
  ]);
  checkSanitize(GENERIC_ROUND, [
    ['[c. 123]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA', '123'],
    ['[textA]-[textB]', 'CAPTURE_VALUE_IN_SQUARE_BRACKETS', 'textA-textB'],
    ['c.2000', 'STARTING_CIRCA', '2000'],
    ['text(1942-1943)', 'ENDING_PARENTHESES', 'text'],
    ['(1942-1943)', null, null],
    ['textA[1942-1943textB', null, null],
  ]);
});
