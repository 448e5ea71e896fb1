/**
 * The EDM sorter as data: the built-in TypeScript sorter (`edm/sorter.ts`) when no sorter XSL is
 * configured or the configured one is the version it implements; otherwise the XSL itself on
 * SaxonJS, whose serialized output is the sorted record (as Metis's sorter writes it).
 */
import { sortEdm } from '../../edm/sorter.ts';
import { parseXml, serializeXml, type XmlDocument } from '../../edm/xml.ts';
import type { StepMessage } from '../outcome.ts';
import { compileXslt, type XsltCompileOptions } from '../transform/xslt.ts';
import { readRuleFile, xsltRulesMessage } from './rule-files.ts';

/** Sorts a parsed record; `content` is its text (without a DOCTYPE). Returns both forms of the sorted record. */
export type Sort = (doc: XmlDocument, content: string) => { doc: XmlDocument; content: string };

export interface SorterChoice {
  sort: Sort;
  used: 'port' | 'xslt';
  /** The report line when the XSL runs (empty for the port). */
  notes: StepMessage[];
}

/** The built-in sorter. */
export const portSort: Sort = (doc) => {
  const sorted = sortEdm(doc);
  return { doc: sorted, content: serializeXml(sorted) };
};

/**
 * Chooses the sorter for a configured XSL (or none).
 * @throws TaskError `SCHEMA_INVALID` when the file cannot be read or is not XML, `XSLT_COMPILE` when it does not compile
 */
export async function loadSorter(sorterXslt: string | undefined, compile: XsltCompileOptions = {}): Promise<SorterChoice> {
  if (sorterXslt === undefined) return { sort: portSort, used: 'port', notes: [] };
  const file = readRuleFile('sorter', sorterXslt);
  if (file.ported) return { sort: portSort, used: 'port', notes: [] };
  const compiled = await compileXslt(file.text, compile);
  return {
    used: 'xslt',
    notes: [xsltRulesMessage(file)],
    sort: (_doc, content) => {
      const sorted = compiled.run(content);
      return { doc: parseXml(sorted), content: sorted };
    },
  };
}
