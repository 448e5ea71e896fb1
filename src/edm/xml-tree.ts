/**
 * The XML tree every EDM step works on: the node types, the parse limits and the parse error.
 * The parser (xml-parse.ts), the serializer (xml-serialize.ts) and the helpers (xml-walk.ts)
 * import it; it imports only the error catalogue.
 *
 * Namespace declarations are kept as ordinary attributes (`xmlns`, `xmlns:p`) on the element that
 * declared them, so serialization writes them back exactly where the input had them.
 */
import { RecordError } from '../errors/index.ts';

export interface XmlAttr {
  /** Qualified name as written (`rdf:about`, `xmlns:edm`). */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI ('' when none). */
  ns: string;
  value: string;
}

export interface XmlElement {
  kind: 'element';
  /** Qualified name as written (`edm:ProvidedCHO`). */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI ('' when none). */
  ns: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  /** 1-based source line of the start tag (0 for elements created in code). */
  line: number;
}

export interface XmlText {
  kind: 'text';
  text: string;
}

export interface XmlComment {
  kind: 'comment';
  text: string;
}

export type XmlNode = XmlElement | XmlText | XmlComment;

export interface XmlDocument {
  root: XmlElement;
  /** Root name of a harmless DOCTYPE the input had (accepted and ignored; never serialized). */
  doctype?: string;
}

export interface ParseLimits {
  /** Largest accepted input, in characters. Default 50 MiB. */
  maxChars?: number;
  /** Deepest accepted element nesting, checked as the parser descends. Default 256. */
  maxDepth?: number;
  /** Most namespace declarations (`xmlns`, `xmlns:p`) on one element. Default 256. */
  maxNamespaceDeclarations?: number;
  /** Most namespace declarations in scope at once (on an element and its ancestors). Default 1,024. */
  maxNamespacesInScope?: number;
}

/** Not well-formed (or too large) XML: the catalogue error `XML_PARSE`; `line` is 1-based, 0 when unknown. */
export class XmlParseError extends RecordError<'XML_PARSE'> {
  constructor(
    message: string,
    readonly line: number,
    /** The same error in the JDK Xerces parser's words, as Metis reports it (xml-xerces.ts), when known. */
    readonly xerces?: string,
  ) {
    super('XML_PARSE', { detail: line > 0 ? `${message} (line ${line})` : message, line });
    this.name = 'XmlParseError';
  }
}
