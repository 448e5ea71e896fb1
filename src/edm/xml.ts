/**
 * A small, safe XML tree for EDM records: parse, walk, edit, serialize. This module only gathers the
 * public names; each job has its own module, none of which imports this one:
 *   xml-tree.ts       the node types, parse limits, XmlParseError
 *   xml-parse.ts      the parser (the only one in production; saxes is the test oracle only)
 *   xml-serialize.ts  the serializer and the text / attribute escapes
 *   xml-walk.ts       walking, reading and editing the tree
 */
export type { ParseLimits, XmlAttr, XmlComment, XmlDocument, XmlElement, XmlNode, XmlText } from './xml-tree.ts';
export { XmlParseError } from './xml-tree.ts';
export { parseXml } from './xml-parse.ts';
export { escapeAttr, escapeText, serializeXml } from './xml-serialize.ts';
export {
  childElements,
  createElement,
  createText,
  firstChild,
  getAttr,
  removeAttr,
  setAttr,
  textContent,
  walkElements,
} from './xml-walk.ts';
