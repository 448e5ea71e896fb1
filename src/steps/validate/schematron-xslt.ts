/**
 * Schematron by running the compiled `schematron*.xsl` of the schema zip itself (the fallback when it
 * is not the version our TypeScript rules implement, see steps/rules/). The stylesheet writes an
 * SVRL report; as Metis does, the first `svrl:failed-assert` in report order is the error: its text
 * (whitespace collapsed, as our ported rules word it) and its `nodeId` attribute when it has one.
 */
import type { SaxonNode } from 'saxon-js';
import type { CompiledXslt } from '../transform/xslt.ts';
import { parseXml, type XmlElement } from '../../edm/xml.ts';
import { normalizeSpace, stringValue, type SchematronFailure } from './schematron-support.ts';

const SVRL = 'http://purl.oclc.org/dsdl/svrl';
const ELEMENT = 1;

/**
 * A Schematron check backed by the stylesheet. It reads the record text (SaxonJS parses it itself).
 * @returns the first failed assert, or undefined when the record passes
 * @throws Error with SaxonJS's message when the stylesheet fails at run time
 */
export function xsltSchematron(compiled: CompiledXslt): (content: string) => SchematronFailure | undefined {
  const { runToTree } = compiled;
  return runToTree
    ? (content) => firstFailedAssert(runToTree(content))
    : (content) => firstFailedAssertInText(compiled.run(content)); // Saxon-HE: the report as text
}

/** `firstFailedAssert` over a serialized SVRL report (read with our parser). */
export function firstFailedAssertInText(report: string): SchematronFailure | undefined {
  const root = parseXml(report).root;
  let pattern = 0;
  for (const c of root.children) {
    if (c.kind !== 'element' || c.ns !== SVRL) continue;
    if (c.local === 'active-pattern') pattern++;
    else if (c.local === 'failed-assert') {
      const text = c.children.find((t): t is XmlElement => t.kind === 'element' && t.ns === SVRL && t.local === 'text');
      const failure: SchematronFailure = { message: normalizeSpace(text ? stringValue(text) : ''), pattern };
      const nodeId = c.attrs.find((a) => a.ns === '' && a.local === 'nodeId')?.value;
      if (nodeId !== undefined) failure.nodeId = nodeId;
      return failure;
    }
  }
  return undefined;
}

/** The first `svrl:failed-assert` of an SVRL report, with the 1-based number of its pattern. */
export function firstFailedAssert(report: SaxonNode): SchematronFailure | undefined {
  const root = firstElement(report);
  if (!root) return undefined;
  let pattern = 0;
  for (let c = root.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== ELEMENT || c.namespaceURI !== SVRL) continue;
    if (c.localName === 'active-pattern') pattern++;
    else if (c.localName === 'failed-assert') {
      const failure: SchematronFailure = { message: normalizeSpace(assertText(c)), pattern };
      const nodeId = noNamespaceAttr(c, 'nodeId');
      if (nodeId !== undefined) failure.nodeId = nodeId;
      return failure;
    }
  }
  return undefined;
}

function firstElement(node: SaxonNode): SaxonNode | undefined {
  if (node.nodeType === ELEMENT) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT) return c;
  return undefined;
}

/** An attribute in no namespace, or undefined when the element has none (SaxonJS's getAttribute gives ''). */
function noNamespaceAttr(el: SaxonNode, local: string): string | undefined {
  const attrs = el.attributes;
  if (!attrs) return undefined;
  for (let i = 0; i < attrs.length; i++) if (attrs[i].localName === local && !attrs[i].namespaceURI) return attrs[i].value;
  return undefined;
}

/** The `svrl:text` child's text (Metis reads that element). */
function assertText(failedAssert: SaxonNode): string {
  for (let c = failedAssert.firstChild; c; c = c.nextSibling)
    if (c.nodeType === ELEMENT && c.namespaceURI === SVRL && c.localName === 'text') return c.textContent ?? '';
  return '';
}
