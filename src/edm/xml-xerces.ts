/**
 * Parse errors in the words of the JDK's Xerces (its SAX/DOM parser messages), which Metis reports
 * for a record that is not well-formed: the validator's message is the `SAXParseException` text
 * (issue #15). xml-parse.ts calls this when it fails; the result rides on `XmlParseError.xerces`.
 * Our own message stays the error's message (it names the limit or the DOCTYPE rule where Xerces
 * has no equivalent); `undefined` here means no Xerces counterpart is known.
 */

/** What the parser knew when it failed. */
export interface ParseContext {
  /** Qualified name of the element whose start tag was being read, or the innermost open one. */
  element?: string;
  /** Qualified name of the attribute being read. */
  attribute?: string;
  /** The root element has been closed already. */
  afterRoot: boolean;
  /** The input text from the failing offset on (to name an invalid character). */
  rest: string;
}

const INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const hex = (s: string) => {
  const m = INVALID.exec(s);
  return m ? `0x${m[0].charCodeAt(0).toString(16)}` : undefined;
};
const INCOMPLETE = 'XML document structures must start and end within the same entity.';
const AFTER_ROOT = 'The markup in the document following the root element must be well-formed.';

/** The Xerces message for one of our parse errors, or undefined when there is none. */
export function xercesParseMessage(message: string, ctx: ParseContext): string | undefined {
  const el = ctx.element ?? '';
  const at = ctx.attribute ?? '';
  let m: RegExpExecArray | null;
  if ((m = /^Unexpected close tag <\/.+>, expected <\/(.+)>$/.exec(message)))
    return `The element type "${m[1]}" must be terminated by the matching end-tag "</${m[1]}>".`;
  if (message.startsWith('Unexpected close tag') || message === 'More than one root element') return AFTER_ROOT;
  if (/^Unclosed (tag|start tag|comment|CDATA section|processing instruction|value of attribute)/.test(message))
    return INCOMPLETE;
  if (message === 'No root element') return 'Premature end of file.';
  if (message === 'Text data outside of root node')
    return ctx.afterRoot ? 'Content is not allowed in trailing section.' : 'Content is not allowed in prolog.';
  if ((m = /^Undefined entity &(.+);$/.exec(message))) return `The entity "${m[1]}" was referenced, but not declared.`;
  if (message.startsWith('Unescaped "&"')) {
    const bare = /&(?![A-Za-z_:][-A-Za-z0-9._:]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/.exec(ctx.rest);
    const name = /^&([A-Za-z_:][-A-Za-z0-9._:]*)/.exec(bare ? ctx.rest.slice(bare.index) : '');
    return name
      ? `The reference to entity "${name[1]}" must end with the ';' delimiter.`
      : "The entity name must immediately follow the '&' in the entity reference.";
  }
  if ((m = /^Invalid character reference &(#x?[0-9a-fA-F]*);$/.exec(message)))
    return `Character reference "&${m[1]}" is an invalid XML character.`;
  if ((m = /^Unbound namespace prefix: "(.+)"$/.exec(message)))
    return at
      ? `The prefix "${m[1]}" for attribute "${at}" associated with an element type "${el}" is not bound.`
      : `The prefix "${m[1]}" for element "${el}" is not bound.`;
  if ((m = /^Duplicate attribute (.+)$/.exec(message)))
    return `Attribute "${m[1]}" was already specified for element "${el}".`;
  if (/^Attribute .+ value must be quoted$/.test(message))
    return `Open quote is expected for attribute "${at}" associated with an  element type  "${el}".`;
  if (/^Attribute .+ without value$/.test(message))
    return `Attribute name "${at}" associated with an element type "${el}" must be followed by the ' = ' character.`;
  if (message === '"<" is not allowed in attribute values')
    return `The value of attribute "${at}" associated with an element type "${el}" must not contain the '<' character.`;
  if (message === 'Attributes must be separated by white space')
    return `Element type "${el}" must be followed by either attribute specifications, ">" or "/>".`;
  if ((m = /^Malformed end tag <\/(.+)>$/.exec(message)))
    return `The end-tag for element type "${m[1]}" must end with a '>' delimiter.`;
  if (message === '"--" is not allowed inside a comment') return 'The string "--" is not permitted within comments.';
  if (message === 'The sequence "]]>" is not allowed in text')
    return 'The character sequence "]]>" must not appear in content unless used to mark the end of a CDATA section.';
  if (message === 'XML declaration allowed only at the start of the document')
    return 'The processing instruction target matching "[xX][mM][lL]" is not allowed.';
  const code = hex(ctx.rest);
  if (code && message === 'Invalid character in text')
    return `An invalid XML character (Unicode: ${code}) was found in the element content of the document.`;
  if (code && message.startsWith('Invalid character in attribute'))
    return `An invalid XML character (Unicode: ${code}) was found in the value of attribute "${at}" and element is "${el}".`;
  if (code && message === 'Invalid character in comment')
    return `An invalid XML character (Unicode: ${code}) was found in the comment.`;
  return undefined;
}
