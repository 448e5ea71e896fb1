/**
 * The chain sort → validate external → transform → validate internal, built either with the
 * TypeScript ports (`port`) or with Metis's stylesheets running on SaxonJS (`xslt`), for
 * `npm run bench xslt` (in-process and in its worker threads).
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTransformer } from '../src/steps/transform/transformer.ts';
import { createExternalValidator, createInternalValidator } from '../src/steps/validate/validator.ts';

/** `port`: the TypeScript ports; `xslt`: Metis's stylesheets on SaxonJS; `xslt-he`: on Saxon-HE (JVM per thread). */
export type Mode = 'port' | 'xslt' | 'xslt-he';

/** Rule files of a folder in the METIS_RULES_DIR layout. */
export interface RuleSet {
  schemas: string;
  sorter?: string;
  defaultXslt?: string;
}

/**
 * A copy of Metis's rule files that is not recognised as the ported version (one unused top-level
 * variable added), so the validators and the transformer run them as XSLT; the XSDs are linked.
 */
export function xsltRuleSet(rulesDir: string, schemaDir: string, work: string): RuleSet {
  const schemas = join(work, 'schemas');
  mkdirSync(join(schemas, 'schematron'), { recursive: true });
  for (const f of readdirSync(schemaDir)) if (f.endsWith('.xsd') && !existsSync(join(schemas, f))) symlinkSync(join(schemaDir, f), join(schemas, f));
  const copy = (from: string, to: string) =>
    writeFileSync(to, readFileSync(from, 'utf8').replace(/<\/xsl:stylesheet>\s*$/, '<xsl:variable name="bench-not-the-ported-version"/></xsl:stylesheet>\n'));
  copy(join(rulesDir, 'schematron', 'schematron.xsl'), join(schemas, 'schematron', 'schematron.xsl'));
  copy(join(rulesDir, 'schematron', 'schematron-internal.xsl'), join(schemas, 'schematron', 'schematron-internal.xsl'));
  const out: RuleSet = { schemas };
  if (existsSync(join(rulesDir, 'edm_sorter.xsl'))) copy(join(rulesDir, 'edm_sorter.xsl'), (out.sorter = join(work, 'edm_sorter.xsl')));
  if (existsSync(join(rulesDir, 'default_transformation.xslt')))
    copy(join(rulesDir, 'default_transformation.xslt'), (out.defaultXslt = join(work, 'default_transformation.xslt')));
  return out;
}

export interface Chain {
  ext: (content: string) => string;
  transform: (content: string) => string;
  int: (content: string) => string;
  all: (content: string) => string;
  rules: string;
}

export async function buildChain(mode: Mode, schemaDir: string, rules: RuleSet | undefined, cacheDir: string): Promise<Chain> {
  const x = mode === 'port' ? undefined : rules!;
  const engine = mode === 'xslt-he' ? ('saxon-he' as const) : undefined;
  const common = { schemaLocation: x?.schemas ?? schemaDir, xsltCacheDir: cacheDir, sorterXslt: x?.sorter, xsltEngine: engine };
  const [e, i, t] = await Promise.all([
    createExternalValidator(common),
    createInternalValidator(common),
    createTransformer({ datasetId: '1', datasetName: 'One', country: 'Italy', language: 'it', defaultXslt: x?.defaultXslt, cacheDir, engine }),
  ]);
  const ok = (step: string, o: { status: string; content?: string; messages: Array<{ message: string }> }) => {
    if (o.status === 'fail') throw new Error(`${step} failed: ${o.messages[0]?.message}`);
    return o.content!;
  };
  const ext = (content: string) => ok('validate external', e({ recordId: 'r', content }));
  const transform = (content: string) => ok('transform', t({ recordId: 'r', content }));
  const int = (content: string) => ok('validate internal', i({ recordId: 'r', content }));
  return {
    ext,
    transform,
    int,
    all: (content) => int(transform(ext(content))),
    rules: `schematron ${e.rules.schematron}, sorter ${e.rules.sorter}, internal schematron ${i.rules.schematron}, transformation ${x?.defaultXslt ? 'xslt' : 'port'}`,
  };
}
