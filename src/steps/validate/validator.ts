/**
 * The validation steps (metis-steps.md §4 external, §6 internal) as step-shaped functions:
 * `(record) => StepOutcome`, built once per schema set and reused for every record.
 *
 * Per record: parse once into our tree (a DOCTYPE only if harmless) → [sort] → XSD (libxml2-wasm, compiled once)
 * → Schematron (our TypeScript rules over the same tree). The first error wins, as in Metis.
 */
import { NS } from '../../edm/namespaces.ts';
import { sortEdm } from '../../edm/sorter.ts';
import type { ParseLimits, XmlDocument, XmlElement } from '../../edm/xml.ts';
import { parseXml, serializeXml } from '../../edm/xml.ts';
import { type StepOutcome, fail, success } from '../outcome.ts';
import { checkExternalSchematron } from './schematron-external.ts';
import { checkInternalSchematron } from './schematron-internal.ts';
import type { SchematronFailure } from './schematron-support.ts';
import { findRootFile, resolveSchemaDir, type SchemaSourceOptions } from './schema-source.ts';
import { type CompiledXsd, acquireXsd } from './xsd.ts';

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
  dispose(): void;
};

export const MISSING_RECORD_ID = 'Missing record identifier for EDM record';
export const MISSING_NODE_ID = 'Missing node identifier';

/**
 * External validation (EDM-EXTERNAL): sorter → EDM.xsd → external Schematron.
 * @throws TaskError when the schemas cannot be fetched or compiled (a task failure, not a record one)
 */
export async function createExternalValidator(opts: ValidatorOptions): Promise<RecordValidator> {
  return createValidator(opts, 'EDM.xsd', true, checkExternalSchematron);
}

/**
 * Internal validation (EDM-INTERNAL): [sorter] → EDM-INTERNAL.xsd → internal Schematron.
 * @throws TaskError when the schemas cannot be fetched or compiled
 */
export async function createInternalValidator(opts: ValidatorOptions): Promise<RecordValidator> {
  return createValidator(opts, 'EDM-INTERNAL.xsd', false, checkInternalSchematron);
}

async function createValidator(
  opts: ValidatorOptions,
  defaultRoot: string,
  defaultSort: boolean,
  schematron: (root: XmlElement) => SchematronFailure | undefined,
): Promise<RecordValidator> {
  const schemaDir = await resolveSchemaDir(opts.schemaLocation, opts);
  const xsd: CompiledXsd = acquireXsd(schemaDir, findRootFile(schemaDir, opts.rootFile ?? defaultRoot));
  const sort = opts.sort ?? defaultSort;
  const validate = (record: RecordInput) => validateRecord(record, { xsd, sort, schematron, limits: opts.parseLimits });
  return Object.assign(validate, { schemaDir, dispose: () => xsd.dispose() });
}

interface Engine {
  xsd: CompiledXsd;
  sort: boolean;
  schematron: (root: XmlElement) => SchematronFailure | undefined;
  limits?: ParseLimits;
}

function validateRecord(record: RecordInput, engine: Engine): StepOutcome<ValidationData> {
  let doc: XmlDocument;
  try {
    doc = parseXml(record.content, engine.limits);
  } catch (err) {
    return fail(record.recordId, 'XML_PARSE', (err as Error).message, `record ${record.recordId}`);
  }
  let content = record.content;
  // A harmless DOCTYPE (xml-parse.ts) is ignored: libxml2 gets the record without it, as Metis's
  // validator gets the sorter's output, which has none.
  if (engine.sort) {
    doc = sortEdm(doc);
    content = serializeXml(doc);
  } else if (doc.doctype !== undefined) content = serializeXml(doc);
  const edmRecordId = providedChoAbout(doc.root) ?? MISSING_RECORD_ID;
  const xsdProblem = engine.xsd.validate(content);
  if (xsdProblem) {
    const out = fail<ValidationData>(record.recordId, 'XSD_INVALID', xsdProblem.message, `record ${edmRecordId}, line ${xsdProblem.line}`);
    out.data = { edmRecordId, line: xsdProblem.line };
    return out;
  }
  const failure = engine.schematron(doc.root);
  if (failure) {
    const nodeId = failure.nodeId ?? MISSING_NODE_ID;
    const out = fail<ValidationData>(record.recordId, 'SCHEMATRON', `Schematron error: ${failure.message}`, `record ${edmRecordId}, node ${nodeId}`);
    out.data = { edmRecordId, nodeId };
    return out;
  }
  return success<ValidationData>(record.recordId, content, { edmRecordId });
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
