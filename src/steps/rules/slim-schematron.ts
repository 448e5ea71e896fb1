/**
 * Makes a compiled Schematron (ISO skeleton output, as in the schema zip) cheaper to run without
 * changing what we read from its SVRL report: which asserts fail, in which order, their text and
 * `nodeId`, and the `svrl:active-pattern` markers that number the patterns. Removed:
 * - `svrl:fired-rule` elements (one per element and rule: most of the report, never read);
 * - the `location` attribute of failed asserts (an XPath built by walking the ancestors, never read);
 * - the unmoded `xsl:apply-templates` (and `document` attribute) inside `svrl:active-pattern`: it walks
 *   the whole record and writes nothing, as long as the stylesheet's only unmoded templates are the
 *   root template and empty ones (checked; otherwise that walk stays).
 * About half of the stylesheet's time on SaxonJS (docs/BENCHMARKS.md, "Metis's rules as XSLT").
 */
import { parseXml, serializeXml, type XmlElement, type XmlNode } from '../../edm/xml.ts';

const XSL = 'http://www.w3.org/1999/XSL/Transform';
const SVRL = 'http://purl.oclc.org/dsdl/svrl';

const attr = (el: XmlElement, local: string) => el.attrs.find((a) => a.ns === '' && a.local === local)?.value;
const isXsl = (n: XmlNode, local: string): n is XmlElement => n.kind === 'element' && n.ns === XSL && n.local === local;
const elements = (el: XmlElement) => el.children.filter((c): c is XmlElement => c.kind === 'element');

/** The slimmed stylesheet text (the input unchanged when it is not an XSLT stylesheet). */
export function slimSchematron(xslt: string): string {
  const doc = parseXml(xslt);
  const root = doc.root;
  if (root.ns !== XSL) return xslt;
  const walkIsSilent = elements(root)
    .filter((t) => isXsl(t, 'template') && attr(t, 'match') !== undefined && attr(t, 'mode') === undefined)
    .every((t) => attr(t, 'match') === '/' || !t.children.some((c) => c.kind === 'element' || (c.kind === 'text' && c.text.trim() !== '')));
  prune(root, walkIsSilent);
  return serializeXml(doc);
}

function prune(el: XmlElement, walkIsSilent: boolean): void {
  const inActivePattern = el.ns === SVRL && el.local === 'active-pattern';
  el.children = el.children.filter((c) => {
    if (c.kind !== 'element') return true;
    if (c.ns === SVRL && c.local === 'fired-rule') return false;
    if (isXsl(c, 'attribute') && attr(c, 'name') === 'location') return false;
    if (inActivePattern && walkIsSilent) {
      if (isXsl(c, 'apply-templates') && attr(c, 'select') === undefined && attr(c, 'mode') === undefined && elements(c).length === 0)
        return false;
      if (isXsl(c, 'attribute') && attr(c, 'name') === 'document') return false;
    }
    return true;
  });
  for (const c of el.children) if (c.kind === 'element') prune(c, walkIsSilent);
}
