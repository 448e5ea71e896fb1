/**
 * The validation steps (metis-steps.md §4 external, §6 internal) as step-shaped functions:
 * `(record) => StepOutcome`, built once per schema set and reused for every record.
 *
 * Per record: parse once into our tree (a DOCTYPE only if harmless) → [sort] → XSD (libxml2-wasm, compiled once)
 * → Schematron. The first error wins, as in Metis.
 *
 * Rules as data (steps/rules/): the schematron of the schema location (`schematron/schematron.xsl`,
 * `schematron/schematron-internal.xsl`) and a configured sorter XSL decide. When they are the
 * versions our TypeScript ports implement, the ports run (over the same tree); otherwise the
 * stylesheets run on SaxonJS and each outcome carries a `RULES_XSLT` info message.
 */
import { dirname } from 'node:path';
import { NS } from '../../edm/namespaces.ts';
import type { ParseLimits, XmlDocument, XmlElement } from '../../edm/xml.ts';
import { parseXml, serializeXml, XmlParseError } from '../../edm/xml.ts';
import { type StepOutcome, fail, success } from '../outcome.ts';
import type { StepMessage } from '../outcome.ts';
import { checkExternalSchematron } from './schematron-external.ts';
import { checkInternalSchematron } from './schematron-internal.ts';
import type { SchematronFailure } from './schematron-support.ts';
import { findRootFile, resolveSchemaDir, type SchemaSourceOptions } from './schema-source.ts';
import { type CompiledXsd, acquireXsd } from './xsd.ts';
import { type RuleEngines, loadValidationRules } from './validation-rules.ts';

export interface ValidatorOptions extends SchemaSourceOptions {
  /** Folder, local `.zip`, or `http(s)` URL of a zip holding the XSDs (Metis `predefinedSchemas.*.url`). */
  schemaLocation: string;
  /** Root XSD inside the location. Default `EDM.xsd` (external) / `EDM-INTERNAL.xsd` (internal). */
  rootFile?: string;
  /**
   * Re-order elements with the EDM sorter before validating; the sorted record is the step output.
   * Default true for external (Metis and the Sandbox), false for internal (the Sandbox; eCloud sorts both).
   */
  sort?: boolean;
  /** Limits for parsing records. */
  parseLimits?: ParseLimits;
  /**
   * The compiled Schematron inside the schema location (Metis `schematronLocation`). Default
   * `schematron/schematron.xsl` (external) / `schematron/schematron-internal.xsl` (internal); when the
   * location has no such file, the built-in rules run.
   */
  schematronFile?: string;
  /**
   * Bytes of the sorted output: `compact` (default: the tree as it is) or `saxon`, the bytes Metis's
   * sorter writes (Saxon, `indent="yes"`; edm/xml-serialize.ts). For the built-in sorter; a configured
   * sorter XSL running on SaxonJS writes its own serialization.
   */
  outputStyle?: 'compact' | 'saxon';
  /** The EDM sorter XSL (a file; Metis loads `edm_sorter.xsl` from a URL). Default: the built-in sorter. */
  sorterXslt?: string;
  /** Folder for compiled rule stylesheets (SEF). Default `<os tmpdir>/metis-streams-sef`. */
  xsltCacheDir?: string;
  /** Engine for rule stylesheets that run as XSLT (`XsltCompileOptions.engine`). Default SaxonJS. */
  xsltEngine?: 'saxonjs' | 'saxon-he';
}

/** One record as the pipeline hands it to a step. */
export interface RecordInput {
  recordId: string;
  content: string;
}

/** Facts a validation outcome carries for reports (Metis `ValidationResult` fields). */
export interface ValidationData extends Record<string, unknown> {
  /** First `edm:ProvidedCHO/@rdf:about`, or "Missing record identifier for EDM record". */
  edmRecordId: string;
  /** Schematron failures: the assert's node id (`@rdf:about`), or "Missing node identifier". */
  nodeId?: string;
  /** XSD failures: the line in the validated (sorted) record. */
  line?: number;
}

/** A ready validator: call it per record; `dispose()` releases the (shared) compiled schema. */
export type RecordValidator = ((record: RecordInput) => StepOutcome<ValidationData>) & {
  readonly schemaDir: string;
  /** What runs the rules: `port` (the TypeScript rules) or `xslt` (the configured stylesheets), per rule. */
  readonly rules: { schematron: 'port' | 'xslt'; sorter: 'port' | 'xslt' | 'none' };
  dispose(): void;
};

export const MISSING_RECORD_ID = 'Missing record identifier for EDM record';
export const MISSING_NODE_ID = 'Missing node identifier';

/**
 * External validation (EDM-EXTERNAL): sorter → EDM.xsd → external Schematron.
 * @throws TaskError when the schemas cannot be fetched or compiled (a task failure, not a record one)
 */
export async function createExternalValidator(opts: ValidatorOptions): Promise<RecordValidator> {
  return createValidator(opts, 'EDM.xsd', true, 'schematron-external');
}

/**
 * Internal validation (EDM-INTERNAL): [sorter] → EDM-INTERNAL.xsd → internal Schematron.
 * @throws TaskError when the schemas cannot be fetched or compiled
 */
export async function createInternalValidator(opts: ValidatorOptions): Promise<RecordValidator> {
  return createValidator(opts, 'EDM-INTERNAL.xsd', false, 'schematron-internal');
}

async function createValidator(
  opts: ValidatorOptions,
  defaultRoot: string,
  defaultSort: boolean,
  kind: 'schematron-external' | 'schematron-internal',
): Promise<RecordValidator> {
  const schemaDir = await resolveSchemaDir(opts.schemaLocation, opts);
  const sort = opts.sort ?? defaultSort;
  const port = kind === 'schematron-external' ? checkExternalSchematron : checkInternalSchematron;
  const rootFile = findRootFile(schemaDir, opts.rootFile ?? defaultRoot);
  // The schematron path is relative to the root XSD's folder (the zip root or its only top folder).
  const rules = await loadValidationRules({ ...opts, kind, schemaDir: dirname(rootFile), port, sort });
  const xsd: CompiledXsd = acquireXsd(schemaDir, rootFile);
  const saxon = opts.outputStyle === 'saxon' && rules.used.sorter === 'port';
  const validate = (record: RecordInput) => validateRecord(record, { xsd, rules, limits: opts.parseLimits, saxon });
  return Object.assign(validate, { schemaDir, rules: rules.used, dispose: () => xsd.dispose() });
}

interface Engine {
  xsd: CompiledXsd;
  rules: RuleEngines;
  limits?: ParseLimits;
  /** Write the sorted output as Metis's sorter does (`outputStyle: 'saxon'`). */
  saxon: boolean;
}

function validateRecord(record: RecordInput, engine: Engine): StepOutcome<ValidationData> {
  let doc: XmlDocument;
  try {
    doc = parseXml(record.content, engine.limits);
  } catch (err) {
    // Metis reports the parser's (Xerces's) message; ours, which names a limit or DOCTYPE rule where
    // Xerces has none, stays in the detail.
    const message = (err as Error).message;
    const xerces = err instanceof XmlParseError ? err.xerces : undefined;
    return fail(record.recordId, 'XML_PARSE', xerces ?? message, `record ${record.recordId}${xerces ? `; ${message}` : ''}`);
  }
  let content = record.content;
  // A harmless DOCTYPE (xml-parse.ts) is ignored: libxml2 gets the record without it, as Metis's
  // validator gets the sorter's output, which has none.
  if (doc.doctype !== undefined) content = serializeXml(doc);
  const { notes } = engine.rules;
  if (engine.rules.sort) {
    try {
      ({ doc, content } = engine.rules.sort(doc, content));
      if (engine.saxon) content = serializeXml(doc, { style: 'saxon' });
    } catch (err) {
      return withNotes(fail(record.recordId, 'XSLT_ERROR', `EDM sorter: ${(err as Error).message}`), notes);
    }
  }
  const edmRecordId = providedChoAbout(doc.root) ?? MISSING_RECORD_ID;
  const xsdProblem = engine.xsd.validate(content);
  if (xsdProblem) {
    const out = fail<ValidationData>(record.recordId, 'XSD_INVALID', xsdProblem.message, `record ${edmRecordId}, line ${xsdProblem.line}`);
    out.data = { edmRecordId, line: xsdProblem.line };
    return withNotes(out, notes);
  }
  let failure: SchematronFailure | undefined;
  try {
    failure = engine.rules.schematron(doc, content);
  } catch (err) {
    return withNotes(fail(record.recordId, 'XSLT_ERROR', `Schematron: ${(err as Error).message}`), notes);
  }
  if (failure) {
    const nodeId = failure.nodeId ?? MISSING_NODE_ID;
    const out = fail<ValidationData>(record.recordId, 'SCHEMATRON', `Schematron error: ${failure.message}`, `record ${edmRecordId}, node ${nodeId}`);
    out.data = { edmRecordId, nodeId };
    return withNotes(out, notes);
  }
  return success<ValidationData>(record.recordId, content, { edmRecordId }, [...notes]);
}

/** Adds the rules' report lines (RULES_XSLT) after the outcome's own messages. */
function withNotes<D>(out: StepOutcome<D>, notes: readonly StepMessage[]): StepOutcome<D> {
  if (notes.length > 0) out.messages.push(...notes);
  return out;
}

/** `/rdf:RDF/edm:ProvidedCHO[1]/@rdf:about`, the id Metis puts on validation results. */
export function providedChoAbout(root: XmlElement): string | undefined {
  for (const c of root.children) {
    if (c.kind !== 'element' || c.ns !== NS.edm || c.local !== 'ProvidedCHO') continue;
    for (const a of c.attrs) if (a.ns === NS.rdf && a.local === 'about') return a.value;
    return undefined;
  }
  return undefined;
}
