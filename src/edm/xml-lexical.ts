/**
 * The lexical rules of XML 1.0 the parser (xml-parse.ts) applies: names, white space, forbidden
 * characters, and the decoding of the five predefined entities and character references (no other
 * entity exists: DOCTYPE is refused).
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
