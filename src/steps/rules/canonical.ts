/**
 * The content hash that recognises a rule file (an XSLT: schematron, sorter, default transformation)
 * whatever its formatting: the sha256 of a canonical form that keeps everything an XSLT processor
 * acts on and drops what it ignores.
 *
 * Kept: elements (by namespace URI and local name), their attributes (sorted, by namespace URI and
 * local name), namespace declarations (sorted, by prefix), and every text node with non-whitespace
 * content, exactly (an `xsl:text` keeps its whitespace-only text too).
 * Dropped: the XML declaration, comments, whitespace-only text (XSLT strips it from stylesheets),
 * attribute order and quoting, line endings (the parser already turns CR LF into LF) and
 * indentation. So a file re-indented, re-commented or saved with CR LF hashes the same; one changed
 * rule, message text or namespace does not.
 */
import { createHash } from 'node:crypto';
import { parseXml, type XmlElement } from '../../edm/xml.ts';

const XSL = 'http://www.w3.org/1999/XSL/Transform';

/** The canonical form of an XML rule file (see the module comment). */
export function canonicalXml(text: string): string {
  const out: string[] = [];
  write(parseXml(text).root, out);
  return out.join('');
}

/** `sha256:<hex>` of the canonical form. */
export function ruleHash(text: string): string {
  return `sha256:${createHash('sha256').update(canonicalXml(text)).digest('hex')}`;
}

function write(el: XmlElement, out: string[]): void {
  const decls: string[] = [];
  const attrs: string[] = [];
  for (const a of el.attrs) {
    if (a.name === 'xmlns' || a.prefix === 'xmlns') decls.push(`${a.name}=${JSON.stringify(a.value)}`);
    else attrs.push(`{${a.ns}}${a.local}=${JSON.stringify(a.value)}`);
  }
  out.push(`<{${el.ns}}${el.local}`, decls.sort().map((d) => ` ${d}`).join(''), attrs.sort().map((a) => ` ${a}`).join(''), '>');
  const keepBlank = el.ns === XSL && el.local === 'text';
  let text = '';
  const flush = () => {
    if (text !== '' && (keepBlank || text.trim() !== '')) out.push(JSON.stringify(text));
    text = '';
  };
  for (const c of el.children) {
    if (c.kind === 'text') text += c.text; // adjacent text (split by a dropped comment) counts as one
    else if (c.kind === 'element') {
      flush();
      write(c, out);
    }
  }
  flush();
  out.push('</>');
}
