/**
 * The TypeScript ports against Metis's own stylesheets (issue #15 item 1): the real schematron.xsl /
 * schematron-internal.xsl, edm_sorter.xsl and default_transformation.xslt run on SaxonJS next to the
 * ports, on every fixture record and on mutants (one deliberate error per assert, plus the XPath 1.0
 * corner cases), and must agree on verdict, rule (pattern number and message) and node id; the
 * sorter and the default transformation must write the same records (canonical form). Where java and
 * Saxon-HE's jar are installed, the stylesheets also run on Saxon-HE (Metis's engine) and must agree.
 *
 * Needs Metis's rule files (see rules-support.ts): without them the suite is reported as skipped,
 * naming where it looked. Full run: METIS_RULES_DIR=… node --import tsx --test test/fidelity/rules-differential.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { createEuropeanaId, derivedIds, providedChoAbout } from '../../src/edm/ids.ts';
import { sortEdm } from '../../src/edm/sorter.ts';
import { parseXml, serializeXml } from '../../src/edm/xml.ts';
import { ruleHash } from '../../src/steps/rules/canonical.ts';
import { PORTED_RULES } from '../../src/steps/rules/rule-files.ts';
import { saxonHeJar } from '../../src/steps/rules/saxon-he.ts';
import { slimSchematron } from '../../src/steps/rules/slim-schematron.ts';
import { transformToInternal } from '../../src/steps/transform/default-transform.ts';
import { compileXslt, type CompiledXslt } from '../../src/steps/transform/xslt.ts';
import { checkExternalSchematron } from '../../src/steps/validate/schematron-external.ts';
import { checkInternalSchematron } from '../../src/steps/validate/schematron-internal.ts';
import type { SchematronFailure } from '../../src/steps/validate/schematron-support.ts';
import { xsltSchematron } from '../../src/steps/validate/schematron-xslt.ts';
import { canonicalize } from '../transform/canonical.ts';
import { fixture, SANDBOX, VALID_EXTERNAL } from '../transform/fixtures.ts';
import { EXTERNAL_MUTATIONS, INTERNAL_MUTATIONS, TRANSFORM_MUTATIONS, canonicalTree, findRulesDir, fixtureRecords, mutants } from './rules-support.ts';

const { dir, looked } = findRulesDir();
const HE = saxonHeJar() !== undefined;
const cacheDir = join(tmpdir(), 'metis-streams-sef');
const verdict = (f: SchematronFailure | undefined) => (f ? { pattern: f.pattern, message: f.message, nodeId: f.nodeId } : 'pass');

/** Records that parse (some fixtures are OAI envelopes or deliberately broken). */
const records = fixtureRecords().filter((r) => {
  try {
    parseXml(r.text);
    return true;
  } catch {
    return false;
  }
});
const sortedText = (text: string) => serializeXml(sortEdm(parseXml(text)));

// Without the files: one test reported as skipped (with the reason), so the run's skip count shows it.
if (!dir) test('rules: the TypeScript ports against Metis stylesheets', { skip: `Metis rule files not found (looked in: ${looked.join(', ')}; set METIS_RULES_DIR)` }, () => {});
else describe('rules: the TypeScript ports against Metis stylesheets', () => {
  const rules = dir!;
  type Check = (content: string) => SchematronFailure | undefined;
  let ext: Check, int: Check, extAsIs: Check, intAsIs: Check;
  /** Saxon-HE (Metis's engine, as shipped) when java and its jar are here: the same verdicts again. */
  let extHe: Check | undefined, intHe: Check | undefined;
  before(async () => {
    // As production runs them (slimmed, see slim-schematron.ts) and as Metis ships them.
    const load = async (p: string, slim: boolean, engine?: 'saxon-he') => {
      const text = readFileSync(p, 'utf8');
      return xsltSchematron(await compileXslt(slim ? slimSchematron(text) : text, { cacheDir, engine }));
    };
    [ext, int, extAsIs, intAsIs] = await Promise.all([
      load(rules.schematron, true),
      load(rules.schematronInternal, true),
      load(rules.schematron, false),
      load(rules.schematronInternal, false),
    ]);
    if (HE) [extHe, intHe] = [await load(rules.schematron, false, 'saxon-he'), await load(rules.schematronInternal, false, 'saxon-he')];
  });

  test('the rule files are the versions the ports were written from (recognised by hash)', () => {
    assert.equal(ruleHash(readFileSync(rules.schematron, 'utf8')), PORTED_RULES['schematron-external'].hash);
    assert.equal(ruleHash(readFileSync(rules.schematronInternal, 'utf8')), PORTED_RULES['schematron-internal'].hash);
    if (rules.sorter) assert.equal(ruleHash(readFileSync(rules.sorter, 'utf8')), PORTED_RULES.sorter.hash);
    if (rules.defaultTransformation)
      assert.equal(ruleHash(readFileSync(rules.defaultTransformation, 'utf8')), PORTED_RULES['default-transformation'].hash);
  });

  test(`external schematron: port = XSLT on all ${records.length} fixture records (sorted)`, () => {
    let failing = 0;
    for (const r of records) {
      const text = sortedText(r.text);
      const want = verdict(ext(text));
      if (want !== 'pass') failing++;
      assert.deepEqual(verdict(checkExternalSchematron(parseXml(text).root)), want, r.path);
      assert.deepEqual(verdict(extAsIs(text)), want, `slimmed = as shipped: ${r.path}`);
      if (extHe) assert.deepEqual(verdict(extHe(text)), want, `SaxonJS = Saxon-HE: ${r.path}`);
    }
    assert.ok(failing > 0 && failing < records.length, `fixtures exercise both verdicts (${failing} failing)`);
  });

  test(`internal schematron: port = XSLT on all ${records.length} fixture records`, () => {
    for (const r of records) {
      const want = verdict(int(r.text));
      assert.deepEqual(verdict(checkInternalSchematron(parseXml(r.text).root)), want, r.path);
      assert.deepEqual(verdict(intAsIs(r.text)), want, `slimmed = as shipped: ${r.path}`);
      if (intHe) assert.deepEqual(verdict(intHe(r.text)), want, `SaxonJS = Saxon-HE: ${r.path}`);
    }
  });

  test(`external schematron: ${EXTERNAL_MUTATIONS.length} mutants, each trips its rule in both`, () => {
    const base = sortedText(fixture(`${SANDBOX}zip/Record1.xml`));
    assert.equal(ext(base), undefined, 'the base record passes');
    for (const m of mutants(base, EXTERNAL_MUTATIONS)) {
      const want = verdict(ext(m.text));
      assert.equal(want === 'pass' ? undefined : want.pattern, m.pattern, `XSLT on mutant "${m.name}"`);
      assert.deepEqual(verdict(checkExternalSchematron(parseXml(m.text).root)), want, `port on mutant "${m.name}"`);
      assert.deepEqual(verdict(extAsIs(m.text)), want, `slimmed = as shipped on mutant "${m.name}"`);
      if (extHe) assert.deepEqual(verdict(extHe(m.text)), want, `Saxon-HE on mutant "${m.name}"`);
    }
  });

  test(`internal schematron: ${INTERNAL_MUTATIONS.length} mutants, each trips its rule in both`, () => {
    const base = fixture('metis-framework/metis-transformation/metis-transformation-service/src/test/resources/europeana_record_edm_internal.xml');
    assert.equal(int(base), undefined, 'the base record passes');
    for (const m of mutants(base, INTERNAL_MUTATIONS)) {
      const want = verdict(int(m.text));
      assert.equal(want === 'pass' ? undefined : want.pattern, m.pattern, `XSLT on mutant "${m.name}"`);
      assert.deepEqual(verdict(checkInternalSchematron(parseXml(m.text).root)), want, `port on mutant "${m.name}"`);
      assert.deepEqual(verdict(intAsIs(m.text)), want, `slimmed = as shipped on mutant "${m.name}"`);
      if (intHe) assert.deepEqual(verdict(intHe(m.text)), want, `Saxon-HE on mutant "${m.name}"`);
    }
  });

  test('sorter: port = edm_sorter.xsl on every fixture record', { skip: rules.sorter ? false : 'edm_sorter.xsl not found' }, async () => {
    const text = readFileSync(rules.sorter!, 'utf8');
    const sorters: CompiledXslt[] = [await compileXslt(text, { cacheDir })];
    if (HE) sorters.push(await compileXslt(text, { cacheDir, engine: 'saxon-he' }));
    // Compared as trees: our serializer writes a CR in text raw (lost when re-read), Saxon as &#xD;.
    for (const sorter of sorters)
      for (const r of records)
        assert.equal(canonicalTree(sortEdm(parseXml(r.text)).root), canonicalTree(parseXml(sorter.run(r.text)).root), r.path);
  });

  test(
    `default transformation: port (default-xslt lists) = default_transformation.xslt on the valid external records and ${TRANSFORM_MUTATIONS.length} mutants`,
    { skip: rules.defaultTransformation ? false : 'default_transformation.xslt not found' },
    async () => {
      const text = readFileSync(rules.defaultTransformation!, 'utf8');
      const xslt = await compileXslt(text, { cacheDir });
      const he = HE ? await compileXslt(text, { cacheDir, engine: 'saxon-he' }) : undefined;
      const params = { datasetName: '1_One', edmCountry: 'Italy', edmLanguage: 'it' };
      const inputs = [...VALID_EXTERNAL, `${SANDBOX}record/transform/record-input.xml`].map((p) => ({ name: p, text: fixture(p) }));
      inputs.push(...mutants(fixture(`${SANDBOX}zip/Record1.xml`), TRANSFORM_MUTATIONS));
      let differsWithSorterLists = 0;
      for (const { name, text } of inputs) {
        const doc = sortEdm(parseXml(text));
        const about = providedChoAbout(doc);
        const ids = derivedIds(createEuropeanaId('1', about), about ?? '');
        const metis = canonicalize(xslt.run(serializeXml(doc), { ...params, providedCHOAboutId: ids.europeanaId }));
        const port = transformToInternal(doc, ids, params, { classProperties: 'default-xslt' });
        assert.equal(canonicalTree(port.root), metis, name);
        if (he) assert.equal(canonicalize(he.run(serializeXml(doc), { ...params, providedCHOAboutId: ids.europeanaId })), metis, `Saxon-HE: ${name}`);
        if (canonicalTree(transformToInternal(doc, ids, params).root) !== metis) differsWithSorterLists++;
      }
      // The built-in default (sorter lists) keeps the newer properties this XSLT drops.
      assert.equal(differsWithSorterLists, 2);
    },
  );
});
