import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDateValue, type PropertyKind } from '../../src/steps/normalize/index.ts';

/** "Today" for every case: dates after it are in the future. */
const NOW = new Date('2026-11-25T12:00:00Z');

type Row = [input: string, expected: string | null, note?: string];

/** Date properties (dcterms:created/issued/temporal, dc:date): flexible building, every extractor. */
const DATE_PROPERTY: Row[] = [
  // brief ranges: end > 12 and > the start's last two digits
  ['1857-90', '1857/1890'],
  ['1989/90', '1989/1990'],
  ['1989/90?', '1989/1990?'],
  ['?1989/90', '1989?/1990'],
  ['-1989/-88', '-1989/-1988'],
  ['1990-95', '1990/1995'],
  ['1950-60?', '1950/1960?'],
  ['1989-11', '1989-11', 'end ≤ 12 is a month'],
  ['1989-12', '1989-12'],
  ['1989-13', null, 'not a brief range (89 > 13), not a month'],
  ['1850-45', null, 'end not above 50'],
  ['2020-30', null, '2030 is in the future'],
  // EDTF and ISO 8601 date part
  ['1989', '1989'],
  ['1942', '1942'],
  ['1989-11-01', '1989-11-01'],
  ['0989', '0989'],
  ['-0050', '-0050'],
  ['-9999', '-9999'],
  ['1989?', '1989?'],
  ['1989~', '1989~'],
  ['1989%', '1989%'],
  ['1989-11-01?', '1989-11-01?'],
  ['1989-11~', '1989-11~'],
  ['1989-11-01T10:20:30Z', '1989-11-01', 'time discarded'],
  ['1989-11-01T', '1989-11-01'],
  ['1988-02-29', '1988-02-29'],
  ['1989-02-29', null, 'not a leap year'],
  ['1989-21', null, 'EDTF seasons are not supported'],
  ['198X', '198X', 'unspecified digits are not EDTF here, but a decade'],
  ['1989-00', '1989', 'month 00 is "no month" for the numeric extractor'],
  ['Y-12345', 'Y-12345'],
  ['Y12345', null, 'future'],
  ['Y-999', null, 'Y needs more than four digits'],
  ['12345', null, 'future'],
  // future dates
  ['2026', '2026'],
  ['2027', null],
  ['2026-11', '2026-11'],
  ['2026-12', null],
  ['2026-11-25', '2026-11-25'],
  ['2026-11-26', null],
  ['2100', null],
  // EDTF ranges
  ['1426/1450', '1426/1450'],
  ['1989-11/1990-11', '1989-11/1990-11'],
  ['1989-11-01/1990', '1989-11-01/1990'],
  ['1989/1990-11-01', '1989/1990-11-01'],
  ['../1989', '../1989'],
  ['1989/..', '1989/..'],
  ['/1989', '../1989', 'unknown start'],
  ['1989/', '1989/..', 'unknown end'],
  ['../..', null],
  ['/', null],
  ['1990/1989', '1989/1990', 'reversed range swapped for date properties'],
  ['1989 / 1990', '1989/1990'],
  ['1989?/1990~', '1989?/1990~'],
  ['-12345/-12344', 'Y-12345/Y-12344'],
  ['Y-123456789/Y-123456788', 'Y-123456789/Y-123456788'],
  // numeric centuries
  ['18..', '18XX'],
  ['?18..', '18XX?'],
  ['18..?', '18XX?'],
  ['21..', null, '2100 is in the future'],
  ['1st century', '00XX'],
  ['2nd century', '01XX'],
  ['3rd century', '02XX'],
  ['11th century', '10XX'],
  ['19th century', '18XX'],
  ['21st century', '20XX'],
  ['19TH CENTURY', '18XX'],
  ['19 century', '18XX'],
  ['11st century', null, 'wrong ordinal suffix'],
  ['22nd century', null, 'has not started'],
  ['0 century', null],
  // Roman centuries
  ['XIX', '18XX'],
  ['xix', '18XX'],
  ['s. XIX', '18XX'],
  ['s.XIX', '18XX'],
  ['sec. XV', '14XX'],
  ['saec XII', '11XX'],
  ['XXI', '20XX'],
  ['XXII', null],
  ['I', '00XX'],
  ['IIII', null, 'not a well-formed numeral'],
  ['MCM', null, 'beyond four-digit years'],
  ['XIX?', '18XX?'],
  ['?XIX', '18XX?'],
  ['XVIII-XIX', '17XX/18XX'],
  ['XIX-XVIII', '17XX/18XX'],
  ['s. XV - s. XVI', '14XX/15XX'],
  // decades
  ['180u', '180X'],
  ['180x', '180X'],
  ['180X', '180X'],
  ['180U', '180X'],
  ['190X', '190X'],
  ['180x?', '180X?'],
  ['?180u', '180X?'],
  ['180??', '180X?'],
  ['?180??', '180X?'],
  ['202x', '202X'],
  ['203x', null],
  // numeric ranges
  ['1900?-1910?', '1900?/1910?'],
  ['1899-1901', '1899/1901'],
  ['1860-1850', '1850/1860'],
  ['1850 - 1860', '1850/1860'],
  ['1989-11-01 - 1990-11-01', '1989-11-01/1990-11-01'],
  ['01.11.1989-02.12.1990', '1989-11-01/1990-12-02'],
  ['1989/11/01-1990/11/01', '1989-11-01/1990-11-01'],
  ['1989 1990', '1989/1990'],
  ['1989-?', '1989/..'],
  ['?-1989', '../1989'],
  ['..-1989', '../1989'],
  ['198-?', null, 'ambiguous: a decade or an open range'],
  // numeric dates
  ['01.11.1989', '1989-11-01'],
  ['1.11.1989', '1989-11-01'],
  ['01.11.1989?', '1989-11-01?'],
  ['11/1989', '1989-11'],
  ['1989.11', '1989-11'],
  ['1989.11.01', '1989-11-01'],
  ['1989/11/01', '1989-11-01'],
  ['25/12/1989', '1989-12-25'],
  ['12/25/1989', '1989-12-25', 'invalid month/day swapped'],
  ['13/25/1989', null],
  ['31.04.1989', null],
  ['1989 11 01', '1989-11-01'],
  ['01 11 1989', '1989-11-01'],
  ['950', '0950'],
  ['?1989', '1989?'],
  ['18XX', '18XX'],
  ['18??', '18XX', 'two ? are unknown digits, not uncertainty'],
  ['18--', '18XX'],
  // DCMI periods
  ['name=Prehistoric Period; end=-5300', '../-5300'],
  ['start=1900; end=1950', '1900/1950'],
  ['name=The Great Depression; start=1929; end=1939; scheme=W3C-DTF', '1929/1939'],
  ['start=1950-05-01; end=1951', '1950-05-01/1951'],
  ['start=1900; end=1950; scheme=OTHER', null],
  ['start=1900; start=1901', null, 'duplicate field'],
  ['name=Nothing', null],
  // month names (24 EU languages)
  ['01 November 1989', '1989-11-01'],
  ['November 1989', '1989-11'],
  ['November 01 1989', '1989-11-01'],
  ['01.November.1989', '1989-11-01'],
  ['01,November,1989', '1989-11-01'],
  ['1 novembre 1989', '1989-11-01'],
  ['1 Dezember 1989', '1989-12-01'],
  ['marzo 1989', '1989-03'],
  ['1 Νοεμβρίου 1989', '1989-11-01'],
  ['15 maja 1989', '1989-05-15'],
  ['joulukuu 1989', '1989-12'],
  ['Mar 1989', '1989-03'],
  ['1 Nov. 1989', '1989-11-01'],
  ['November 2027', null],
  ['32 November 1989', null],
  // full dates
  ['Wed Nov 01 01:00:00 CEST 1989', '1989-11-01'],
  ['Thu Nov 01 01:00:00 CEST 1989', null, 'weekday does not match the date'],
  ['1989-11-01 04:05:06 UTC+01', '1989-11-01'],
  ['1989-11-01 01:02:03', '1989-11-01'],
  ['1989-11-01 01:02:03.123', '1989-11-01'],
  ['1989-11-01 25:00:00', null],
  // BC/AD
  ['1989 BC', '-1988'],
  ['1989 bc', '-1988'],
  ['1989 AD', '1989'],
  ['1989 π.Χ.', '-1988'],
  ['1989 μ.Χ.', '1989'],
  ['1989 пр.Хр.', '-1988'],
  ['1989 v. Chr.', '-1988'],
  ['1989 n. Chr.', '1989'],
  ['1989 p.n.e.', '-1988'],
  ['44 av. J.-C.', '-0043'],
  ['1 BC', '0000'],
  ['2 BC', '-0001'],
  ['0 BC', null],
  ['3000 AD', null],
  ['500 BC - 100 AD', '-0499/0100'],
  // long negative years
  ['-12345', 'Y-12345'],
  ['-123456789', 'Y-123456789'],
  ['-1234567890', null],
  ['-12345--12344', null, 'a dash is not a range separator here'],
  // sanitizing rounds; circa → approximate
  ['ca. 1950', '1950~'],
  ['circa 1950', '1950~'],
  ['c. 1950', '1950~'],
  ['CA 1950', '1950~'],
  ['c 1950', '1950~'],
  ['ca 1950?', '1950%'],
  ['circa 18..', '18XX~'],
  ['ca. 1900-1910', '1900~/1910~'],
  ['[1950]', '1950'],
  ['[ca. 1950]', '1950~'],
  ['[circa 1950]', '1950~'],
  ['(circa 1950)', '1950~', 'second round'],
  ['(1950)', '1950', 'second round'],
  ['1950 (approx.)', '1950'],
  ['(ca) 1950', '1950'],
  ['text: 1950', '1950'],
  ['Date: 1989-11-01', '1989-11-01'],
  ['1950.', '1950'],
  ['1950]', '1950'],
  ['1950 [?]', '1950', 'second round drops the bracket'],
  ['[1950].', null, 'only one operation per round'],
  // pre-clean
  ['\u00a01950\u00a0', '1950'],
  ['1900\u20131910', '1900/1910'],
  // not dates
  ['Logic', null],
  ['', null],
  ['unknown', null],
  ['1989 and 1990', null],
  ['n.d.', null],
];

/** Generic properties (dc:subject, dc:coverage): no brief range, strict building (complete, certain dates). */
const GENERIC_PROPERTY: Row[] = [
  ['1950', null, 'a year alone is not a date in a subject'],
  ['1989-11-01', '1989-11-01'],
  ['1989-11', null],
  ['1989?', null],
  ['XIX', '18XX', 'Metis builds Roman centuries without the strict profile'],
  ['18..', null],
  ['19th century', null],
  ['180x', null],
  ['1857-90', null],
  ['1989/1990', null],
  ['1989-11-01/1990-11-01', '1989-11-01/1990-11-01'],
  ['1990-11-01/1989-11-01', null, 'no swap for generic properties'],
  ['01 November 1989', '1989-11-01'],
  ['November 1989', '1989-11'],
  ['[ca. 1989-11-01]', '1989-11-01~'],
  ['ca. 1989-11-01', '1989-11-01~'],
  ['(ca. 1989-11-01)', null, 'generic properties have no parentheses-with-circa round'],
  ['1989-11-01 (approx)', '1989-11-01'],
  ['1989 BC', '-1988'],
  ['12/25/1989', null, 'no month/day swap'],
  ['25.12.1989', '1989-12-25'],
  ['-12345', 'Y-12345'],
  ['name=X; start=1900-01-01; end=1950-12-31', '1900-01-01/1950-12-31'],
  ['name=X; start=1900; end=1950', null],
  ['Logic', null],
];

function check(rows: Row[], kind: PropertyKind) {
  const failures: string[] = [];
  for (const [input, expected, note] of rows) {
    const actual = normalizeDateValue(input, kind, NOW)?.edtf ?? null;
    if (actual !== expected) failures.push(`${JSON.stringify(input)}: expected ${expected}, got ${actual}${note ? ` (${note})` : ''}`);
  }
  assert.deepEqual(failures, []);
}

test('the date table has at least 150 cases over every extractor', () => {
  assert.ok(DATE_PROPERTY.length + GENERIC_PROPERTY.length >= 150);
  const extractors = new Set(DATE_PROPERTY.map(([input]) => normalizeDateValue(input, 'date', NOW)?.extractor).filter(Boolean));
  for (const id of ['BRIEF_RANGE', 'EDTF', 'EDTF_RANGE', 'CENTURY_NUMERIC', 'CENTURY_ROMAN', 'CENTURY_ROMAN_RANGE', 'DECADE', 'NUMERIC_PARTS_RANGE', 'NUMERIC_PARTS', 'DCMI_PERIOD', 'MONTH_NAME', 'FULL_DATE', 'BC_AD', 'BC_AD_RANGE', 'LONG_NEGATIVE_YEAR', 'LONG_NEGATIVE_YEAR_RANGE']) {
    assert.ok(extractors.has(id as never), `no case reaches ${id}`);
  }
});

test('date properties: every extractor, sanitizing, circa and future rules', () => check(DATE_PROPERTY, 'date'));

test('generic properties: strict dates only, no brief range', () => check(GENERIC_PROPERTY, 'generic'));

test('the extractor order decides: a brief range wins over EDTF, EDTF over numeric parts', () => {
  assert.equal(normalizeDateValue('1989/90', 'date', NOW)?.extractor, 'BRIEF_RANGE');
  assert.equal(normalizeDateValue('1989-11-01', 'date', NOW)?.extractor, 'EDTF');
  assert.equal(normalizeDateValue('01.11.1989', 'date', NOW)?.extractor, 'NUMERIC_PARTS');
});

test('a DCMI period keeps its name as label; a circa match records the sanitize operation', () => {
  const dcmi = normalizeDateValue('name=The Great Depression; start=1929; end=1939', 'date', NOW);
  assert.equal(dcmi?.label, 'The Great Depression');
  const circa = normalizeDateValue('ca. 1950', 'date', NOW);
  assert.equal(circa?.sanitizeOperation, 'STARTING_CIRCA');
});

test('the future moves with the clock', () => {
  assert.equal(normalizeDateValue('2027', 'date', new Date('2027-01-01T00:00:00Z'))?.edtf, '2027');
  assert.equal(normalizeDateValue('2027', 'date', new Date('2026-12-31T00:00:00Z')), undefined);
});
