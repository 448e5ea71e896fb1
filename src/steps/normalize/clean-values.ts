/**
 * The three "cleaning" operations (Metis CLEAN_SPACE_CHARACTERS, CLEAN_MARKUP_TAGS, CLEAN_IRI_VIOLATIONS).
 */
import { NS } from '../../edm/namespaces.ts';
import { childElements, getAttr, removeAttr, setAttr, type XmlElement } from '../../edm/xml.ts';
import { javaTrim } from './dates/extractor-support.ts';
import { classesOf, ownText, removeIfEmpty, replaceOwnText } from './edm-tree.ts';

/** The classes whose property values are trimmed and stripped of markup (`/rdf:RDF/<class>/*`). */
const TEXT_CLASSES = [
  [NS.ore, 'Proxy'],
  [NS.ore, 'Aggregation'],
  [NS.edm, 'WebResource'],
  [NS.edm, 'Agent'],
  [NS.edm, 'Place'],
  [NS.edm, 'Event'],
  [NS.edm, 'TimeSpan'],
  [NS.edm, 'PhysicalThing'],
  [NS.skos, 'Concept'],
] as const;

/**
 * Applies `normalize` to the own text of every property of the text classes. An empty result removes
 * the text, then the property when nothing is left on it but an xml:lang. Returns how many values changed.
 */
function normalizePropertyTexts(root: XmlElement, normalize: (value: string) => string): number {
  let changed = 0;
  for (const cls of classesOf(root, TEXT_CLASSES)) {
    for (const property of childElements(cls)) {
      const original = ownText(property);
      const result = normalize(original);
      if (result === original && result !== '') continue;
      if (result === '') {
        const hadText = property.children.some((c) => c.kind === 'text');
        replaceOwnText(property, '');
        const before = cls.children.length;
        removeIfEmpty(cls, property);
        if (hadText || cls.children.length !== before) changed++;
      } else {
        replaceOwnText(property, result);
        changed++;
      }
    }
  }
  return changed;
}

/**
 * 1. Java `String.trim()` on every property value: strips chars ≤ U+0020 at both ends, not NBSP or other
 * Unicode spaces, and does not collapse inner whitespace.
 */
export function cleanSpaceCharacters(root: XmlElement): number {
  return normalizePropertyTexts(root, javaTrim);
}

/** The HTML elements whose tags HTML_ONLY mode removes (Metis `CleanMarkupTagsMode`). */
export const HTML_TAGS = [
  '!doctype',
  'a',
  'abbr',
  'acronym',
  'address',
  'applet',
  'area',
  'article',
  'aside',
  'audio',
  'b',
  'base',
  'basefont',
  'bdi',
  'bdo',
  'bgsound',
  'big',
  'blink',
  'blockquote',
  'body',
  'br',
  'button',
  'canvas',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'content',
  'data',
  'datalist',
  'dd',
  'decorator',
  'del',
  'details',
  'dfn',
  'dir',
  'div',
  'dl',
  'dt',
  'element',
  'em',
  'embed',
  'fieldset',
  'figcaption',
  'figure',
  'font',
  'footer',
  'form',
  'frame',
  'frameset',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'head',
  'header',
  'hgroup',
  'hr',
  'html',
  'i',
  'iframe',
  'img',
  'input',
  'ins',
  'isindex',
  'kbd',
  'keygen',
  'label',
  'legend',
  'li',
  'link',
  'listing',
  'main',
  'map',
  'mark',
  'marquee',
  'menu',
  'menuitem',
  'meta',
  'meter',
  'nav',
  'nobr',
  'noframes',
  'noscript',
  'object',
  'ol',
  'optgroup',
  'option',
  'output',
  'p',
  'param',
  'plaintext',
  'pre',
  'progress',
  'q',
  'rp',
  'rt',
  'ruby',
  's',
  'samp',
  'script',
  'section',
  'select',
  'shadow',
  'small',
  'source',
  'spacer',
  'span',
  'strike',
  'strong',
  'style',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'template',
  'textarea',
  'tfoot',
  'th',
  'thead',
  'time',
  'title',
  'tr',
  'track',
  'tt',
  'u',
  'ul',
  'var',
  'video',
  'wbr',
  'xmp',
];

// Metis: </?(tag)((\s+\w+(\s*=\s*(?:".*?"|'.*?'|[^'">\s]+))?)+\s*|\s*)/?> (case-insensitive, dot-all).
// Same language, written without the nested quantifier over an optional group so it cannot backtrack
// exponentially; longer tag names first so that `b` does not shadow `br`.
const TAG_NAMES = [...HTML_TAGS].sort((a, b) => b.length - a.length).join('|');
const MARKUP = new RegExp(
  `</?(?:${TAG_NAMES})(?:(?:\\s+\\w+(?:\\s*=\\s*(?:"[\\s\\S]*?"|'[\\s\\S]*?'|[^'">\\s]+))?)+\\s*|\\s*)/?>`,
  'gi',
);

/** Removes the HTML tags of `HTML_TAGS` (with their attributes) from a value; entities stay encoded. */
export function stripHtmlTags(value: string): string {
  return value.includes('<') ? value.replace(MARKUP, '') : value;
}

/** 2. HTML_ONLY markup removal on every property value (no re-trim afterwards). */
export function cleanMarkupTags(root: XmlElement): number {
  return normalizePropertyTexts(root, stripHtmlTags);
}

const LINK_PROPERTIES = ['isShownBy', 'hasView', 'isShownAt', 'object'];

/**
 * 3. IRI cleaning of the media links (aggregation isShownBy/hasView/isShownAt/object @rdf:resource and
 * edm:WebResource/@rdf:about): trim and percent-encode what a URI cannot hold; an unfixable value loses
 * its attribute. Returns how many attributes changed or were removed.
 */
export function cleanIriViolations(root: XmlElement): number {
  let changed = 0;
  const clean = (el: XmlElement, local: 'resource' | 'about') => {
    const value = getAttr(el, NS.rdf, local);
    if (value === undefined) return;
    const cleaned = cleanIri(value);
    if (cleaned === undefined) {
      removeAttr(el, NS.rdf, local);
      changed++;
    } else if (cleaned !== value) {
      setAttr(el, `rdf:${local}`, NS.rdf, cleaned);
      changed++;
    }
  };
  for (const aggregation of childElements(root, NS.ore, 'Aggregation')) {
    for (const link of childElements(aggregation, NS.edm))
      if (LINK_PROPERTIES.includes(link.local)) clean(link, 'resource');
  }
  for (const resource of childElements(root, NS.edm, 'WebResource')) clean(resource, 'about');
  return changed;
}

// Characters a URI may hold as they are (RFC 3986 unreserved + reserved + '%').
const URI_SAFE = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Converts an IRI to a URI string as Jena's `create(value.trim()).toURI()` does for the values Metis
 * meets: trims, percent-encodes (UTF-8) every character that is not allowed in a URI, and `%` not
 * followed by two hex digits. Returns undefined for values that are not IRIs at all: empty, a scheme
 * part that is not a scheme (`:x`, `1http://x`), a non-numeric port, more than one `#`, or text that
 * cannot be encoded (lone surrogates).
 */
export function cleanIri(value: string): string | undefined {
  const trimmed = javaTrim(value);
  if (trimmed === '') return undefined;
  const colon = trimmed.indexOf(':');
  const firstDelimiter = trimmed.search(/[/?#]/);
  if (colon === 0) return undefined;
  if (colon > 0 && (firstDelimiter < 0 || colon < firstDelimiter) && !SCHEME.test(trimmed)) return undefined;
  if (trimmed.indexOf('#') !== trimmed.lastIndexOf('#')) return undefined;
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(trimmed)?.[1];
  if (authority !== undefined) {
    const port = /:([^:\]@]*)$/.exec(authority.replace(/^.*@/, ''))?.[1];
    if (port !== undefined && !/^\d*$/.test(port)) return undefined;
  }
  let out = '';
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (c === '%' && !/^[0-9A-Fa-f]{2}$/.test(trimmed.slice(i + 1, i + 3))) out += '%25';
    else if (URI_SAFE.test(c)) out += c;
    else {
      const code = trimmed.codePointAt(i)!;
      const char = String.fromCodePoint(code);
      if (code > 0xffff) i++;
      try {
        out += encodeURIComponent(char);
      } catch {
        return undefined;
      }
    }
  }
  return out;
}
