/**
 * A small XML canonicalizer for golden-pair tests: compares documents by meaning, not by bytes.
 * Elements and attributes are written by expanded name (`{uri}local`), attributes sorted, namespace
 * declarations, comments and whitespace-only text dropped; other text is kept exactly.
 */
import { parseXml, type XmlElement } from '../../src/edm/xml.ts';

/** Canonical text of an XML document (string) for equality checks with readable diffs. */
export function canonicalize(xml: string): string {
  const out: string[] = [];
  write(parseXml(xml).root, 0, out);
  return out.join('\n');
}

function write(el: XmlElement, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const attrs = el.attrs
    .filter((a) => a.name !== 'xmlns' && a.prefix !== 'xmlns')
    .map((a) => `{${a.ns}}${a.local}=${JSON.stringify(a.value)}`)
    .sort();
  out.push(`${pad}<{${el.ns}}${el.local}${attrs.length ? ' ' + attrs.join(' ') : ''}>`);
  for (const c of el.children) {
    if (c.kind === 'element') write(c, depth + 1, out);
    else if (c.kind === 'text' && c.text.trim() !== '') out.push(`${pad}  ${JSON.stringify(c.text)}`);
  }
}
