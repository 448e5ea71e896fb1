/**
 * Which rules a validator runs (issue #15, rules as data): the Schematron of the schema location and
 * the sorter, each either our TypeScript port (when the configured file is the version the port
 * implements, or when none is configured) or the stylesheet itself on SaxonJS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { XmlDocument, XmlElement } from '../../edm/xml.ts';
import type { StepMessage } from '../outcome.ts';
import { readRuleFile, xsltRulesMessage } from '../rules/rule-files.ts';
import { slimSchematron } from '../rules/slim-schematron.ts';
import { type Sort, loadSorter } from '../rules/sorter-rules.ts';
import { compileXslt } from '../transform/xslt.ts';
import type { SchematronFailure } from './schematron-support.ts';
import { xsltSchematron } from './schematron-xslt.ts';

export interface RuleEngines {
  /** Undefined when the validator does not sort. */
  sort?: Sort;
  schematron: (doc: XmlDocument, content: string) => SchematronFailure | undefined;
  /** Report lines every outcome carries (RULES_XSLT for each rule running as XSLT). */
  notes: readonly StepMessage[];
  used: { schematron: 'port' | 'xslt'; sorter: 'port' | 'xslt' | 'none' };
}

export interface RuleOptions {
  kind: 'schematron-external' | 'schematron-internal';
  schemaDir: string;
  port: (root: XmlElement) => SchematronFailure | undefined;
  sort: boolean;
  schematronFile?: string;
  sorterXslt?: string;
  xsltCacheDir?: string;
  xsltEngine?: 'saxonjs' | 'saxon-he';
}

const DEFAULT_SCHEMATRON = {
  'schematron-external': 'schematron/schematron.xsl',
  'schematron-internal': 'schematron/schematron-internal.xsl',
} as const;

/**
 * Recognises the configured rule files and builds the matching engines (compiling stylesheets once).
 * @throws TaskError `SCHEMA_INVALID` (unreadable rule file), `XSLT_COMPILE` (stylesheet does not compile)
 */
export async function loadValidationRules(o: RuleOptions): Promise<RuleEngines> {
  const notes: StepMessage[] = [];
  let sort: Sort | undefined;
  let sorterUsed: RuleEngines['used']['sorter'] = 'none';
  if (o.sort) {
    const s = await loadSorter(o.sorterXslt, { cacheDir: o.xsltCacheDir, engine: o.xsltEngine });
    sort = s.sort;
    sorterUsed = s.used;
    notes.push(...s.notes);
  }
  const file = join(o.schemaDir, o.schematronFile ?? DEFAULT_SCHEMATRON[o.kind]);
  // A schema location without the compiled Schematron (the fixtures' extracted XSDs): the built-in rules.
  const rules = existsSync(file) ? readRuleFile(o.kind, file) : undefined;
  if (!rules || rules.ported)
    return { sort, schematron: (doc) => o.port(doc.root), notes, used: { schematron: 'port', sorter: sorterUsed } };
  const check = xsltSchematron(await compileXslt(slimSchematron(rules.text), { cacheDir: o.xsltCacheDir, engine: o.xsltEngine }));
  notes.push(xsltRulesMessage(rules));
  return { sort, schematron: (_doc, content) => check(content), notes, used: { schematron: 'xslt', sorter: sorterUsed } };
}
