/**
 * Rules as data (issue #15 item 1), without Metis's own stylesheets: the canonical hash recognises a
 * rule file whatever its formatting and tells changed rules apart; a schema location whose
 * schematron.xsl is not the ported version runs that stylesheet (SaxonJS) and says so on every
 * outcome; a configured sorter or default transformation that is not the ported version runs as XSLT.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseXml } from '../../src/edm/xml.ts';
import { canonicalXml, ruleHash } from '../../src/steps/rules/canonical.ts';
import { PORTED_RULES } from '../../src/steps/rules/rule-files.ts';
import { slimSchematron } from '../../src/steps/rules/slim-schematron.ts';
import { saxonHeJar } from '../../src/steps/rules/saxon-he.ts';
import { createTransformer } from '../../src/steps/transform/transformer.ts';
import { compileXslt } from '../../src/steps/transform/xslt.ts';
import { createExternalValidator, type RecordValidator } from '../../src/steps/validate/validator.ts';
import { fixture, SANDBOX, SCHEMA_DIR } from '../transform/fixtures.ts';

const OWN_SCHEMATRON = readFileSync(new URL('./rules-own-schematron.xsl', import.meta.url), 'utf8');
const LITHUANIA = 'Europeana-Cloud/service/commons/src/test/resources/Lithuania_1.xml';

describe('canonical hash of a rule file', () => {
  const xsl = `<?xml version="1.0"?>
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:a="urn:a">
  <!-- a comment -->
  <xsl:template match="/" mode="M1"><out a:x="1" b="2">Some <xsl:text> </xsl:text>text
  </out></xsl:template>
</xsl:stylesheet>`;

  test('ignores formatting, comments, attribute order and CR LF', () => {
    const reformatted = xsl
      .replace('<!-- a comment -->', '')
      .replace('a:x="1" b="2"', "b='2'   a:x='1'")
      .replace(/\n/g, '\r\n')
      .replace('<xsl:template', '\n\n\t<xsl:template');
    assert.equal(ruleHash(reformatted), ruleHash(xsl));
    assert.match(ruleHash(xsl), /^sha256:[0-9a-f]{64}$/);
  });

  test('tells apart a changed rule, message, namespace or xsl:text whitespace', () => {
    const variants = [
      xsl.replace('match="/"', 'match="*"'),
      xsl.replace('Some ', 'Some other '),
      xsl.replace('urn:a', 'urn:b'),
      xsl.replace('<xsl:text> </xsl:text>', '<xsl:text></xsl:text>'),
      xsl.replace('text\n  </out>', 'text\n    </out>'),
    ];
    const hashes = new Set([ruleHash(xsl), ...variants.map(ruleHash)]);
    assert.equal(hashes.size, variants.length + 1);
    assert.ok(canonicalXml(xsl).includes('"Some "'), 'non-blank text is kept exactly');
  });

  test('our own stand-in rules are not a ported version', () => {
    assert.ok(!Object.values(PORTED_RULES).some((r) => r.hash === ruleHash(OWN_SCHEMATRON)));
  });
});

describe('slimming a compiled Schematron', () => {
  const skeleton = (unmoded: string) => `<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <xsl:template match="text()" priority="-1"/>${unmoded}
  <xsl:template match="/"><svrl:schematron-output>
    <svrl:active-pattern><xsl:attribute name="document"><xsl:value-of select="document-uri(/)"/></xsl:attribute><xsl:apply-templates/></svrl:active-pattern>
    <xsl:apply-templates select="/" mode="M1"/></svrl:schematron-output></xsl:template>
  <xsl:template match="*" mode="M1"><svrl:fired-rule context="*"/><xsl:if test="@bad"><svrl:failed-assert test="not(@bad)">
    <xsl:attribute name="location"><xsl:apply-templates select="." mode="path"/></xsl:attribute><svrl:text>bad</svrl:text></svrl:failed-assert></xsl:if>
    <xsl:apply-templates select="*" mode="M1"/></xsl:template>
</xsl:stylesheet>`;

  test('drops fired rules, locations and the silent walk; keeps asserts, texts and pattern markers', () => {
    const slim = slimSchematron(skeleton(''));
    for (const gone of ['fired-rule', 'name="location"', 'name="document"', '<xsl:apply-templates/>']) assert.ok(!slim.includes(gone), gone);
    for (const kept of ['<svrl:active-pattern', '<svrl:failed-assert', '<svrl:text>bad</svrl:text>', 'mode="M1"']) assert.ok(slim.includes(kept), kept);
  });

  test('keeps the walk when an unmoded template writes something', () => {
    const slim = slimSchematron(skeleton('<xsl:template match="*"><svrl:failed-assert/></xsl:template>'));
    assert.ok(slim.includes('<xsl:apply-templates/>'));
    assert.ok(!slim.includes('fired-rule'));
  });
});

describe('a schema location with another schematron.xsl runs it as XSLT', () => {
  const work = mkdtempSync(join(tmpdir(), 'rules-data-'));
  const schemas = join(work, 'schemas');
  const cacheDir = join(tmpdir(), 'metis-streams-sef');
  let validate: RecordValidator;

  before(async () => {
    // The fixture XSDs (linked, not copied) plus our stand-in schematron, as a schema zip would hold them.
    mkdirSync(join(schemas, 'schematron'), { recursive: true });
    for (const f of readdirSync(SCHEMA_DIR)) if (f.endsWith('.xsd')) symlinkSync(join(SCHEMA_DIR, f), join(schemas, f));
    writeFileSync(join(schemas, 'schematron', 'schematron.xsl'), OWN_SCHEMATRON);
    validate = await createExternalValidator({ schemaLocation: schemas, xsltCacheDir: cacheDir });
  });
  after(() => {
    validate?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  test('start-up chose the stylesheet, not the port', () => {
    assert.deepEqual(validate.rules, { schematron: 'xslt', sorter: 'port' });
  });

  test('a record breaking the new rule fails with its text and node id; the report line names the file', () => {
    const out = validate({ recordId: 'r1', content: fixture(LITHUANIA) });
    assert.equal(out.status, 'fail');
    assert.equal(out.messages[0].code, 'SCHEMATRON');
    assert.equal(
      out.messages[0].message,
      'Schematron error: A ProvidedCHO must have a dc:publisher (a rule newer than the ported ones).',
    );
    const about = /<edm:ProvidedCHO[^>]*rdf:about="([^"]*)"/.exec(fixture(LITHUANIA))![1];
    assert.equal(out.data?.nodeId, about);
    const note = out.messages.find((m) => m.code === 'RULES_XSLT');
    assert.equal(note?.level, 'info');
    assert.equal(note?.message, `rules: schematron.xsl ${ruleHash(OWN_SCHEMATRON)} not the ported version; running XSLT`);
  });

  test('a record that keeps the rule passes, still with the report line', () => {
    const out = validate({ recordId: 'r2', content: fixture(`${SANDBOX}zip/Record1.xml`) });
    assert.equal(out.status, 'success', JSON.stringify(out.messages));
    assert.deepEqual(
      out.messages.map((m) => m.code),
      ['RULES_XSLT'],
    );
    parseXml(out.content!); // the sorted record is the output
  });

  test('an own sorter XSL runs as XSLT and its output is the step output', async () => {
    const sorter = join(work, 'identity-sorter.xsl');
    writeFileSync(
      sorter,
      `<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="no"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="comment()"><xsl:comment>sorted by XSLT</xsl:comment></xsl:template>
</xsl:stylesheet>`,
    );
    const v = await createExternalValidator({ schemaLocation: schemas, sorterXslt: sorter, xsltCacheDir: cacheDir });
    try {
      assert.deepEqual(v.rules, { schematron: 'xslt', sorter: 'xslt' });
      const input = fixture(`${SANDBOX}zip/Record1.xml`).replace('<edm:ProvidedCHO', '<!-- c --><edm:ProvidedCHO');
      const out = v({ recordId: 'r3', content: input });
      assert.equal(out.status, 'success', JSON.stringify(out.messages));
      assert.ok(out.content!.includes('<!--sorted by XSLT-->'), 'the XSL wrote the output');
      assert.equal(out.messages.filter((m) => m.code === 'RULES_XSLT').length, 2, 'one line per rule file');
    } finally {
      v.dispose();
    }
  });

  test('on Saxon-HE (JVM per thread) the same rules give the same outcomes', { skip: saxonHeJar() ? false : 'Saxon-HE not installed (libsaxonhe-java)' }, async () => {
    const v = await createExternalValidator({ schemaLocation: schemas, xsltCacheDir: cacheDir, xsltEngine: 'saxon-he' });
    try {
      assert.deepEqual(v.rules, { schematron: 'xslt', sorter: 'port' });
      for (const path of [LITHUANIA, `${SANDBOX}zip/Record1.xml`]) {
        const content = fixture(path);
        assert.deepEqual(v({ recordId: 'r', content }), validate({ recordId: 'r', content }), path);
      }
      await assert.rejects(compileXslt('<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:bogus/></xsl:stylesheet>', { engine: 'saxon-he' }), (e: Error & { code?: string }) => e.code === 'XSLT_COMPILE');
    } finally {
      v.dispose();
    }
  });

  test('a default transformation XSLT that is not the ported version runs as XSLT', async () => {
    const xsl = join(work, 'default.xslt');
    writeFileSync(
      xsl,
      `<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/">
  <xsl:param name="providedCHOAboutId"/>
  <xsl:template match="/"><rdf:RDF><edm:ProvidedCHO rdf:about="{$providedCHOAboutId}"/></rdf:RDF></xsl:template>
</xsl:stylesheet>`,
    );
    const transform = await createTransformer({ datasetId: '1', datasetName: 'One', defaultXslt: xsl, cacheDir });
    const out = transform({ recordId: 'r4', content: fixture(`${SANDBOX}zip/Record1.xml`) });
    assert.equal(out.status, 'success', JSON.stringify(out.messages));
    assert.match(out.content!, /<edm:ProvidedCHO rdf:about="\/1\/[^"]+"\/>/);
    assert.equal(out.messages.find((m) => m.code === 'RULES_XSLT')?.message.startsWith('rules: default.xslt sha256:'), true);
  });
});
