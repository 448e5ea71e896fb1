/**
 * XML with syntax highlighting: a small tokenizer (tags, attribute names and values, comments, CDATA,
 * processing instructions, text) renders spans; React escapes the text, so the record's content is
 * never interpreted as HTML.
 */
import { Fragment, type ReactNode } from 'react';

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/?[^\s/>]+(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*\s*\/?>/g;
const ATTR = /(\s+)([^\s=/>]+)(?:(\s*=\s*)("[^"]*"|'[^']*'))?/g;

function tag(src: string, key: number): ReactNode {
  const m = /^(<\/?)([^\s/>]+)([\s\S]*?)(\/?>)$/.exec(src);
  if (!m) return <span key={key} className="t">{src}</span>;
  const parts: ReactNode[] = [];
  let last = 0;
  let i = 0;
  for (const a of m[3].matchAll(ATTR)) {
    if (a.index > last) parts.push(m[3].slice(last, a.index));
    parts.push(a[1], <span key={`n${i}`} className="a">{a[2]}</span>);
    if (a[3] !== undefined) parts.push(a[3], <span key={`v${i}`} className="v">{a[4]}</span>);
    last = a.index + a[0].length;
    i++;
  }
  if (last < m[3].length) parts.push(m[3].slice(last));
  return (
    <Fragment key={key}>
      <span className="t">{m[1] + m[2]}</span>
      {parts}
      <span className="t">{m[4]}</span>
    </Fragment>
  );
}

export function highlightXml(xml: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let k = 0;
  for (const m of xml.matchAll(TOKEN)) {
    if (m.index > last) out.push(xml.slice(last, m.index));
    const s = m[0];
    if (s.startsWith('<!--') || s.startsWith('<?') || s.startsWith('<!')) out.push(<span key={k} className="c">{s}</span>);
    else out.push(tag(s, k));
    last = m.index + s.length;
    k++;
  }
  if (last < xml.length) out.push(xml.slice(last));
  return out;
}

/** Longer than this, the record is shown plain (highlighting a multi-megabyte record would stall the page). */
const HIGHLIGHT_LIMIT = 400_000;

export function XmlView({ xml, label }: { xml: string; label: string }) {
  return (
    <pre className="xml" tabIndex={0} aria-label={label} data-testid="xml-view">
      <code>{xml.length > HIGHLIGHT_LIMIT ? xml : highlightXml(xml)}</code>
    </pre>
  );
}
