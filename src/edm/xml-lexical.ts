/**
 * The lexical rules of XML 1.0 the parser (xml-parse.ts) applies: names, white space, forbidden
 * characters, the decoding of the five predefined entities and character references (no other
 * entity exists: a DOCTYPE may declare none), and the check of a DOCTYPE declaration.
 */

// XML 1.0 Name (ASCII fast path plus the non-ASCII ranges of the spec, approximated by \u00B7-\uFFFD).
export const NAME =
  /[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\uD800-\uDBFF][-.0-9:A-Z_a-z\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C\u200D\u203F\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\uD800-\uDFFF]*/y;
export const SPACE = /[ \t\r\n]*/y;
export const INVALID_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
// One scan decides whether text / an attribute value needs any of the slower checks below.
export const TEXT_SPECIAL = /[&\r\]\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
export const ATTR_SPECIAL = /[&<\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces entity and character references; calls `fail` on an undefined entity or a bad reference. */
export function decodeReferences(t: string, fail: (message: string) => never): string {
  return t.replace(/&([^;&<]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) fail('Unescaped "&" or unterminated entity reference');
    if (ref.charCodeAt(0) === 0x23 /* # */) {
      const code =
        ref[1] === 'x'
          ? /^x[0-9a-fA-F]+$/.test(ref.slice(1))
            ? parseInt(ref.slice(2), 16)
            : NaN
          : /^[0-9]+$/.test(ref.slice(1))
            ? parseInt(ref.slice(1), 10)
            : NaN;
      if (!(
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff)
      ))
        fail(`Invalid character reference &${ref};`);
      return String.fromCodePoint(code);
    }
    const v = PREDEFINED[ref];
    if (v === undefined) fail(`Undefined entity &${ref};`);
    return v;
  });
}

/** The root name right after `<!DOCTYPE` (group 1). */
export const NAME_AT_START = /^[ \t\r\n]+([^ \t\r\n[>]+)/;

function skipSpace(s: string, p: number): number {
  SPACE.lastIndex = p;
  return p + SPACE.exec(s)![0].length;
}

/**
 * Checks the DOCTYPE declaration that starts at `at` (`<!DOCTYPE`) and returns the offset after its
 * `>`. Accepted, to be ignored: a root name and an optional internal subset holding only element
 * declarations, comments and processing instructions, none of which can change the record (no
 * parser on the Metis path validates against a DTD). Refused through `fail`, with the reason: an
 * external identifier (SYSTEM / PUBLIC: a DTD would be loaded), entity declarations and
 * parameter-entity references (something would be expanded or fetched), attribute-list declarations
 * (default values would add attributes), notation declarations, and anything malformed.
 */
export function scanDoctype(s: string, at: number, fail: (message: string, at: number) => never): number {
  let p = skipSpace(s, at + 9);
  NAME.lastIndex = p;
  const name = p > at + 9 ? NAME.exec(s) : null;
  if (!name) fail('Malformed DOCTYPE declaration: a root element name must follow <!DOCTYPE', at);
  p = skipSpace(s, p + name[0].length);
  if (s.startsWith('SYSTEM', p) || s.startsWith('PUBLIC', p))
    fail('DOCTYPE with an external identifier (SYSTEM or PUBLIC) is not allowed: it would load an external DTD', at);
  if (s.charCodeAt(p) === 0x5b /* [ */) {
    p++;
    for (;;) {
      p = skipSpace(s, p);
      if (p >= s.length) fail('Unclosed DOCTYPE declaration', at);
      if (s.charCodeAt(p) === 0x5d /* ] */) {
        p = skipSpace(s, p + 1);
        break;
      }
      if (s.startsWith('<!--', p)) {
        const end = s.indexOf('-->', p + 4);
        if (end < 0) fail('Unclosed comment', p);
        const body = s.slice(p + 4, end);
        if (body.includes('--') || body.endsWith('-')) fail('"--" is not allowed inside a comment', p);
        p = end + 3;
      } else if (s.startsWith('<?', p)) {
        const end = s.indexOf('?>', p + 2);
        if (end < 0) fail('Unclosed processing instruction', p);
        p = end + 2;
      } else if (s.startsWith('<!ELEMENT', p)) {
        const end = s.indexOf('>', p);
        if (end < 0 || /[%"'<]/.test(s.slice(p + 9, end))) fail('Malformed element declaration in DOCTYPE', p);
        p = end + 1;
      } else if (s.startsWith('<!ENTITY', p)) {
        fail('DOCTYPE with entity declarations is not allowed: entities would be expanded or fetched', p);
      } else if (s.charCodeAt(p) === 0x25 /* % */) {
        fail('DOCTYPE with parameter-entity references is not allowed: they would be expanded or fetched', p);
      } else if (s.startsWith('<!ATTLIST', p)) {
        fail('DOCTYPE with attribute-list declarations is not allowed: default values would change the record', p);
      } else {
        fail('A DOCTYPE internal subset may hold only element declarations, comments and processing instructions', p);
      }
    }
  }
  if (s.charCodeAt(p) !== 0x3e /* > */) fail('Malformed DOCTYPE declaration', at);
  if (INVALID_CHAR.test(s.slice(at, p))) fail('Invalid character in DOCTYPE declaration', at);
  return p + 1;
}
