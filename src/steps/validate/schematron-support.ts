/**
 * Building blocks for the Schematron rules of metis-steps.md §4/§6, written in TypeScript over our
 * XML tree instead of running Metis's compiled `schematron*.xsl` through an XSLT engine.
 *
 * Semantics follow the compiled stylesheets exactly: they are declared `version="1.0"`, so Saxon runs
 * them in XPath 1.0 compatibility mode (`normalize-space(x)` looks at the first node of `x`), and
 * `text()` tests see any text node, whitespace-only ones included.
 */
import { NS } from '../../edm/namespaces.ts';
import type { XmlElement } from '../../edm/xml.ts';

/** A failed assert: the SVRL text and, when the assert declares one, its `nodeId` (`@rdf:about`). */
export interface SchematronFailure {
  message: string;
  /** undefined when the assert has no nodeId attribute (Metis: "Missing node identifier"). */
  nodeId?: string;
  /**
   * 1-based number of the failing pattern in the stylesheet's order (with the message, the rule's
   * id in the differential test of the ports against the XSLT). Set by `runPatterns`.
   */
  pattern?: number;
}

/**
 * One Schematron pattern: it visits every element in document order and returns the first failure
 * for that element. Patterns run one after another, as in the SVRL output, so the first failure of
 * the first failing pattern is the error Metis reports.
 */
export type Pattern = (el: XmlElement, parent: XmlElement | undefined) => SchematronFailure | undefined;

/** Runs patterns in order over the document; returns the first failure (or undefined when valid). */
export function runPatterns(root: XmlElement, patterns: readonly Pattern[]): SchematronFailure | undefined {
  // One walk instead of one per pattern: in document order, each element is checked only against
  // patterns earlier than the earliest failing one found so far, so the result is the same as running
  // the patterns one after another (first failing pattern, first element in document order).
  const state = { best: patterns.length, failure: undefined as SchematronFailure | undefined };
  visit(root, undefined, patterns, state);
  return state.failure && { ...state.failure, pattern: state.best + 1 };
}

function visit(
  el: XmlElement,
  parent: XmlElement | undefined,
  patterns: readonly Pattern[],
  state: { best: number; failure: SchematronFailure | undefined },
): void {
  for (let i = 0; i < state.best; i++) {
    const found = patterns[i](el, parent);
    if (found) {
      state.best = i;
      state.failure = found;
      break;
    }
  }
  if (state.best === 0) return;
  for (const c of el.children) if (c.kind === 'element') visit(c, el, patterns, state);
}

export const DCT = NS.dcterms;

export function is(el: XmlElement | undefined, ns: string, local: string): boolean {
  return !!el && el.ns === ns && el.local === local;
}

export function kids(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element' && c.ns === ns && c.local === local) out.push(c);
  return out;
}

export function has(el: XmlElement, ns: string, local: string): boolean {
  for (const c of el.children) if (c.kind === 'element' && c.ns === ns && c.local === local) return true;
  return false;
}

export function attr(el: XmlElement, ns: string, local: string): string | undefined {
  for (const a of el.attrs) if (a.ns === ns && a.local === local) return a.value;
  return undefined;
}

export const resourceOf = (el: XmlElement) => attr(el, NS.rdf, 'resource');
export const aboutOf = (el: XmlElement) => attr(el, NS.rdf, 'about');

/** `text()` as a boolean: the element has a text child (whitespace counts). */
export function hasTextChild(el: XmlElement): boolean {
  for (const c of el.children) if (c.kind === 'text' && c.text.length > 0) return true;
  return false;
}

/** XPath string value (all descendant text). */
export function stringValue(el: XmlElement): string {
  let s = '';
  for (const c of el.children) {
    if (c.kind === 'text') s += c.text;
    else if (c.kind === 'element') s += stringValue(c);
  }
  return s;
}

export function normalizeSpace(s: string): string {
  return s.replace(/[ \t\r\n]+/g, ' ').trim();
}

/** `normalize-space(text()) != ''` on one element: its first text child is not blank. */
export function firstTextNotBlank(el: XmlElement): boolean {
  for (const c of el.children) if (c.kind === 'text') return normalizeSpace(c.text) !== '';
  return false;
}

/** `x[@rdf:resource] or x[normalize-space(text())!='']` over the given elements. */
export function anyResourceOrText(els: XmlElement[]): boolean {
  return els.some((e) => resourceOf(e) !== undefined || firstTextNotBlank(e));
}

/** A failure whose assert declares `nodeId="{@rdf:about}"` (empty string when the element has none). */
export function withNode(el: XmlElement, message: string): SchematronFailure {
  return { message, nodeId: aboutOf(el) ?? '' };
}

/** The rules every element gets, in both schematron files: shared messages. */
export const emptyResource: Pattern = (el) =>
  resourceOf(el) === ''
    ? { message: `Empty rdf:resource attribute is not allowed for ${el.name} element.` }
    : undefined;

export const resourceAndText: Pattern = (el) =>
  resourceOf(el) !== undefined && hasTextChild(el)
    ? { message: `Element ${el.name} should not have both rdf:resource attribute and text value populated.` }
    : undefined;

export const emptyLang: Pattern = (el) =>
  attr(el, NS.xml, 'lang') === ''
    ? { message: `Empty xml:lang attribute is not allowed for ${el.name} element.` }
    : undefined;

/** The four ore:Aggregation existence rules and the two non-empty provider rules (one pattern each). */
export const aggregationPatterns: Pattern[] = [
  (el) =>
    is(el, NS.ore, 'Aggregation') &&
    !kids(el, NS.edm, 'isShownAt').some((e) => resourceOf(e) !== undefined) &&
    !kids(el, NS.edm, 'isShownBy').some((e) => resourceOf(e) !== undefined)
      ? withNode(el, 'An ore:Aggregation must have either edm:isShownAt or edm:isShownBy')
      : undefined,
  (el) =>
    is(el, NS.ore, 'Aggregation') && !has(el, NS.edm, 'dataProvider')
      ? withNode(el, 'An ore:Aggregation must have at least one instance of edm:dataProvider')
      : undefined,
  (el) =>
    is(el, NS.ore, 'Aggregation') && !has(el, NS.edm, 'provider')
      ? withNode(el, 'An ore:Aggregation must have at least one instance of edm:provider')
      : undefined,
  (el) =>
    is(el, NS.ore, 'Aggregation') && !kids(el, NS.edm, 'rights').some((e) => resourceOf(e) !== undefined)
      ? withNode(el, 'An ore:Aggregation must have at least one instance of edm:rights')
      : undefined,
  (el, parent) =>
    is(el, NS.edm, 'provider') && is(parent, NS.ore, 'Aggregation') && !nonEmptyAgent(el)
      ? { message: 'An ore:Aggregation must have a non empty edm:provider' }
      : undefined,
  (el, parent) =>
    is(el, NS.edm, 'dataProvider') && is(parent, NS.ore, 'Aggregation') && !nonEmptyAgent(el)
      ? { message: 'An ore:Aggregation must have a non empty edm:dataProvider' }
      : undefined,
];

function nonEmptyAgent(el: XmlElement): boolean {
  return resourceOf(el) !== undefined || normalizeSpace(stringValue(el)) !== '';
}

/** `edm:WebResource` must not have a literal `dcterms:hasPart` (the message names isPartOf, as Metis's does). */
export const webResourceHasPart: Pattern = (el) =>
  is(el, NS.edm, 'WebResource') && kids(el, DCT, 'hasPart').some(hasTextChild)
    ? withNode(
        el,
        'The element dcterms:isPartOf should not have a literal value in the edm:WebResource context with this id. Use an rdf:resource instead.',
      )
    : undefined;
