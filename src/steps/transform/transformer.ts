/**
 * The transformation steps as step-shaped functions, built once and reused per record:
 * - `createTransformer`: EDM external → EDM internal (metis-steps.md §5). Without `xslt` it runs our
 *   TypeScript default conversion; with `xslt` (a dataset's custom XSLT) it runs that stylesheet on
 *   SaxonJS with the parameters Metis passes.
 * - `createXsltTransformer`: a provider XSLT to EDM external (§3, Sandbox), no Metis parameters.
 */
import { EuropeanaIdError, createEuropeanaId, derivedIds, providedChoAbout } from '../../edm/ids.ts';
import type { ParseLimits, XmlDocument } from '../../edm/xml.ts';
import { parseXml, serializeXml } from '../../edm/xml.ts';
import { type StepOutcome, fail, success } from '../outcome.ts';
import { transformToInternal } from './default-transform.ts';
import { type CompiledXslt, type XsltCompileOptions, compileXslt } from './xslt.ts';
import { errors } from '../../errors/index.ts';
import { dirname } from 'node:path';
import type { StepMessage } from '../outcome.ts';
import { readRuleFile, xsltRulesMessage } from '../rules/rule-files.ts';

/** A stylesheet given as text; `baseDir` resolves its relative imports. */
export interface XsltSource {
  source: string;
  baseDir?: string;
  /** Extra stylesheet parameters, passed through as given (they win over the Metis ones). */
  parameters?: Record<string, unknown>;
}

export interface TransformerOptions extends XsltCompileOptions {
  /** Metis dataset id, e.g. `1` (the legacy id drops a trailing letter). */
  datasetId: string;
  /** Dataset name; the stylesheet gets `{datasetId}_{datasetName}`. */
  datasetName: string;
  /** `edmCountry`: English country name, e.g. `Italy`. */
  country?: string;
  /** `edmLanguage`: lower-case language code, e.g. `it`. */
  language?: string;
  /** A custom XSLT replacing the default conversion (Metis `customXslt=true`). */
  xslt?: XsltSource;
  /**
   * The default transformation XSLT (a file; Metis's `default_transformation.xslt`), used when there is
   * no custom `xslt`. The version our TypeScript conversion implements runs as that conversion (with
   * the stylesheet's class property lists); any other runs as XSLT, and every outcome carries a
   * `RULES_XSLT` info message. Not set: the TypeScript conversion with the sorter's lists.
   */
  defaultXslt?: string;
  /**
   * Bytes of the default conversion's output: `compact` (default: the tree as it is) or `saxon`, the
   * bytes Metis's default XSLT writes on Saxon (`indent="yes"`; edm/xml-serialize.ts).
   */
  outputStyle?: 'compact' | 'saxon';
  parseLimits?: ParseLimits;
}

export interface RecordInput {
  recordId: string;
  content: string;
}

/** Facts a transformation outcome carries. */
export interface TransformData extends Record<string, unknown> {
  /** The generated Europeana id (`/{dataset}/{record}`), when the record had a ProvidedCHO rdf:about. */
  europeanaId?: string;
}

export type RecordTransformer = (record: RecordInput) => StepOutcome<TransformData>;

/**
 * Builds the EDM external → internal transformation for one dataset.
 * @throws TaskError `XSLT_COMPILE` when a custom XSLT does not compile (a task failure)
 */
export async function createTransformer(opts: TransformerOptions): Promise<RecordTransformer> {
  const params = {
    datasetName: `${opts.datasetId}_${opts.datasetName}`,
    edmCountry: opts.country,
    edmLanguage: opts.language,
  };
  let xslt = opts.xslt;
  let notes: StepMessage[] = [];
  if (!xslt) {
    const file = opts.defaultXslt === undefined ? undefined : readRuleFile('default-transformation', opts.defaultXslt);
    if (!file || file.ported) {
      const options = { classProperties: file ? ('default-xslt' as const) : ('sorter' as const) };
      return (record) =>
        withIds(record, opts, (doc, ids) => ({
          content: serializeXml(transformToInternal(doc, ids, params, options), { style: opts.outputStyle }),
          europeanaId: ids.europeanaId,
        }));
    }
    xslt = { source: file.text, baseDir: dirname(file.path) };
    notes = [xsltRulesMessage(file)];
  }
  const compiled = await compileXslt(xslt.source, { ...opts, baseDir: xslt.baseDir });
  const extra = xslt.parameters ?? {};
  const custom: RecordTransformer = (record) =>
    withIds(record, opts, (_doc, ids) => {
      // Metis sets only non-blank parameters; undeclared ones are ignored by the stylesheet.
      const metis: Record<string, unknown> = {
        ...params,
        providedCHOAboutId: ids.europeanaId,
        aggregationAboutId: ids.providerAggregation,
        europeanaAggregationAboutId: ids.europeanaAggregation,
        proxyAboutId: ids.providerProxy,
        europeanaProxyAboutId: ids.europeanaProxy,
        dcIdentifier: ids.sourceProvidedChoAbout,
      };
      for (const k of Object.keys(metis))
        if (typeof metis[k] !== 'string' || (metis[k] as string).trim() === '') delete metis[k];
      return { content: runXslt(compiled, record.content, { ...metis, ...extra }), europeanaId: ids.europeanaId };
    });
  if (notes.length === 0) return custom;
  return (record) => {
    const out = custom(record);
    out.messages.push(...notes);
    return out;
  };
}

/**
 * Builds a provider-XSLT transformation (Sandbox "transform to EDM external"): the stylesheet runs
 * with only the given parameters (Metis passes none).
 * @throws TaskError `XSLT_COMPILE` when the stylesheet does not compile
 */
export async function createXsltTransformer(
  xslt: XsltSource,
  opts: XsltCompileOptions = {},
): Promise<RecordTransformer> {
  const compiled = await compileXslt(xslt.source, { ...opts, baseDir: xslt.baseDir });
  return (record) => {
    try {
      return success<TransformData>(record.recordId, runXslt(compiled, record.content, xslt.parameters ?? {}), {});
    } catch (err) {
      return fail(record.recordId, 'XSLT_ERROR', (err as Error).message);
    }
  };
}

/** Runs a stylesheet; a result that is not well-formed XML is an error, as in Metis (TransformationException). */
function runXslt(compiled: CompiledXslt, source: string, params: Record<string, unknown>): string {
  const out = compiled.run(source, params);
  try {
    parseXml(out);
  } catch (err) {
    throw errors.TRANSFORM_RESULT({ detail: (err as Error).message }, { cause: err });
  }
  return out;
}

type Ids = ReturnType<typeof derivedIds>;

function withIds(
  record: RecordInput,
  opts: TransformerOptions,
  body: (doc: XmlDocument, ids: Ids) => { content: string; europeanaId: string },
): StepOutcome<TransformData> {
  let doc: XmlDocument;
  try {
    doc = parseXml(record.content, opts.parseLimits);
  } catch (err) {
    return fail(record.recordId, 'XML_PARSE', (err as Error).message);
  }
  let ids: Ids;
  try {
    const about = providedChoAbout(doc);
    ids = derivedIds(createEuropeanaId(opts.datasetId, about), about ?? '');
  } catch (err) {
    if (err instanceof EuropeanaIdError) return fail(record.recordId, err.code, err.message);
    throw err;
  }
  try {
    const { content, europeanaId } = body(doc, ids);
    return success<TransformData>(record.recordId, content, { europeanaId });
  } catch (err) {
    return fail(record.recordId, 'XSLT_ERROR', (err as Error).message);
  }
}
