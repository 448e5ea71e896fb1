import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TaskError } from '../../src/steps/outcome.ts';
import { createTransformer, createXsltTransformer } from '../../src/steps/transform/transformer.ts';
import { compileXslt } from '../../src/steps/transform/xslt.ts';
import { createExternalValidator } from '../../src/steps/validate/validator.ts';
import { canonicalize } from './canonical.ts';
import { SCHEMA_DIR } from './fixtures.ts';

const here = new URL('./', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, here), 'utf8');

describe('provider XSLT on SaxonJS (compiled once to SEF, cached by content hash)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'sef-cache-test-'));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('runs an XSLT 2.0 stylesheet (xsl:function, replace, tokenize) with parameters passed through', async () => {
    const transform = await createXsltTransformer(
      {
        source: read('provider-to-edm.xsl'),
        parameters: { provider: 'Test Aggregator', rightsUri: 'http://creativecommons.org/publicdomain/mark/1.0/' },
      },
      { cacheDir },
    );
    const out = transform({ recordId: 'BK/2024 17', content: read('provider-record.xml') });
    assert.equal(out.status, 'success', out.messages[0]?.message);
    assert.equal(canonicalize(out.content!), canonicalize(read('provider-expected.xml')));

    // The result is EDM external: it passes external validation.
    const validate = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
    try {
      const v = validate({ recordId: 'BK/2024 17', content: out.content! });
      assert.equal(v.status, 'success', v.messages[0]?.message);
    } finally {
      validate.dispose();
    }
  });

  it('keeps the SEF on disk and in memory: the same text compiles once', async () => {
    const source = read('provider-to-edm.xsl');
    const a = await compileXslt(source, { cacheDir });
    assert.ok(existsSync(join(cacheDir, `${a.hash}.sef.json`)));
    const started = performance.now();
    const b = await compileXslt(source, { cacheDir });
    assert.equal(b, a, 'the in-memory cache returns the same compiled stylesheet');
    assert.ok(performance.now() - started < 50, 'no second compile');
  });

  it('fails the task for a stylesheet that does not compile, and the record for a runtime error', async () => {
    await assert.rejects(
      compileXslt('<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><xsl:value-of select="(("/></xsl:template></xsl:stylesheet>', { cacheDir }),
      (e: unknown) => e instanceof TaskError && e.code === 'XSLT_COMPILE',
    );
    const failing = await createXsltTransformer(
      { source: '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><xsl:message terminate="yes">bad record</xsl:message></xsl:template></xsl:stylesheet>' },
      { cacheDir },
    );
    const out = failing({ recordId: 'r', content: '<a/>' });
    assert.equal(out.status, 'fail');
    assert.equal(out.messages[0].code, 'XSLT_ERROR');
    assert.match(out.messages[0].message, /bad record/);
    const textOut = await createXsltTransformer(
      { source: '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output method="text"/><xsl:template match="/">not xml</xsl:template></xsl:stylesheet>' },
      { cacheDir },
    );
    const malformed = textOut({ recordId: 'r', content: '<a/>' });
    assert.equal(malformed.status, 'fail');
    assert.match(malformed.messages[0].message, /^Malformed XSLT result/);
  });

  it('runs a custom dataset XSLT in place of the default with the Metis parameters', async () => {
    const custom = `<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
      <xsl:param name="datasetName"/><xsl:param name="edmCountry"/><xsl:param name="providedCHOAboutId"/>
      <xsl:template match="/"><out name="{$datasetName}" country="{$edmCountry}" id="{$providedCHOAboutId}"/></xsl:template>
    </xsl:stylesheet>`;
    const transform = await createTransformer({ datasetId: '7', datasetName: 'Seven', country: 'Greece', language: 'el', xslt: { source: custom }, cacheDir });
    const out = transform({
      recordId: 'r',
      content: '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/"><edm:ProvidedCHO rdf:about="http://host/a/b"/></rdf:RDF>',
    });
    assert.equal(out.status, 'success', out.messages[0]?.message);
    assert.match(out.content!, /<out name="7_Seven" country="Greece" id="\/7\/a_b"\/>/);
    assert.equal(out.data?.europeanaId, '/7/a_b');
  });
});
