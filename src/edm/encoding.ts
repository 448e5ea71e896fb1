/**
 * Record bytes to text, as Metis's parser (Xerces) reads them (XML 1.0 Appendix F): a byte-order
 * mark (UTF-8, UTF-16 LE/BE) or a UTF-16 `<?xml` pattern decides first; otherwise the XML
 * declaration's `encoding` (ISO-8859-1, windows-1252, US-ASCII, UTF-8, and any other encoding the
 * runtime's TextDecoder knows), UTF-8 when there is none. Under a detected UTF-16 the declaration is
 * ignored, as Xerces does. Decoding is strict: invalid bytes throw XmlParseError naming the byte
 * offset (and line), never a silent U+FFFD; so does an unknown or unsupported declared encoding.
 */
import { XmlParseError } from './xml-tree.ts';

export interface DecodedRecord {
  text: string;
  /** The encoding used (WHATWG name, or `iso-8859-1` / `us-ascii`). */
  encoding: string;
}

/** Decodes one record's bytes. Throws XmlParseError (code XML_PARSE) on bad bytes or encoding. */
export function decodeRecordBytes(bytes: Uint8Array): string {
  return decodeRecord(bytes).text;
}

export function decodeRecord(bytes: Uint8Array): DecodedRecord {
  const choice = chooseEncoding(bytes);
  if (choice.kind === 'bytes') return { text: choice.decode(bytes, 0), encoding: choice.label };
  return decodeWith(choice.label, bytes, choice.declared);
}

/**
 * An encoding picked from a document's first bytes: a strict TextDecoder label, or a single-byte
 * table of our own (`decode` throws at a bad byte; `base` is the offset of `b` in the document).
 */
type Choice =
  | { kind: 'text'; label: string; declared?: string }
  | { kind: 'bytes'; label: string; decode: (b: Uint8Array, base: number) => string };

/** XML 1.0 Appendix F: BOM, UTF-16/32 patterns, then the declaration (`skipSpace`: tolerate leading whitespace). */
function chooseEncoding(b: Uint8Array, skipSpace = false): Choice {
  if (startsWith(b, [0xef, 0xbb, 0xbf])) return { kind: 'text', label: 'utf-8' };
  if (startsWith(b, [0xff, 0xfe, 0x00, 0x00]) || startsWith(b, [0x00, 0x00, 0xfe, 0xff]))
    throw unsupported('UTF-32 (byte-order mark)');
  if (startsWith(b, [0x00, 0x00, 0x00, 0x3c]) || startsWith(b, [0x3c, 0x00, 0x00, 0x00])) throw unsupported('UTF-32');
  if (startsWith(b, [0xff, 0xfe]) || startsWith(b, [0x3c, 0x00, 0x3f, 0x00]))
    return { kind: 'text', label: 'utf-16le' };
  if (startsWith(b, [0xfe, 0xff]) || startsWith(b, [0x00, 0x3c, 0x00, 0x3f]))
    return { kind: 'text', label: 'utf-16be' };
  if (startsWith(b, [0x4c, 0x6f, 0xa7, 0x94])) throw unsupported('EBCDIC');
  let at = 0;
  if (skipSpace) while (at < b.length && (b[at] === 0x20 || b[at] === 0x09 || b[at] === 0x0a || b[at] === 0x0d)) at++;
  const declared = declaredEncoding(at ? b.subarray(at) : b);
  if (declared === undefined) return { kind: 'text', label: 'utf-8' };
  const name = declared.toLowerCase();
  if (LATIN1.has(name)) return { kind: 'bytes', label: 'iso-8859-1', decode: (x) => latin1(x) };
  if (name === 'us-ascii' || name === 'ascii') {
    return {
      kind: 'bytes',
      label: 'us-ascii',
      decode: (x, base) => {
        const bad = x.findIndex((c) => c > 0x7f);
        if (bad >= 0) throw invalidBytes(x, bad, 'US-ASCII', 'utf-8', base);
        return latin1(x);
      },
    };
  }
  if (/^(utf-?16|ucs-?2|unicode|iso-10646-ucs-2)/.test(name))
    throw new XmlParseError(
      `Record declares encoding "${declared}" but its bytes are not UTF-16 (no byte-order mark)`,
      1,
    );
  if (/^(utf-?32|ucs-?4|iso-10646-ucs-4)/.test(name)) throw unsupported(declared);
  let label: string;
  try {
    label = new TextDecoder(name).encoding;
  } catch {
    throw unsupported(declared);
  }
  if (label === 'replacement' || label === 'x-user-defined') throw unsupported(declared);
  if (label === 'windows-1252') return { kind: 'bytes', label, decode: (x) => windows1252(x) };
  return { kind: 'text', label, declared };
}

/**
 * Decodes a document that arrives in chunks (an OAI-PMH response): the encoding is chosen from the
 * first bytes (up to the end of the XML declaration), then every chunk is decoded strictly.
 * `write` and `end` throw XmlParseError at invalid bytes (the offset counts from the first byte).
 */
export class StreamDecoder {
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private choice?: Choice;
  private decoder?: InstanceType<typeof TextDecoder>;
  private consumed = 0;

  write(chunk: Uint8Array): string {
    if (this.choice) return this.decode(chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    const head = Buffer.concat(this.head);
    if (this.headBytes < 4) return '';
    const h = head.toString('latin1').replace(/^[ \t\r\n]+/, '');
    const maybeDeclaration = h.length < 5 ? '<?xml'.startsWith(h) : h.startsWith('<?xml');
    if (this.headBytes < 1024 && maybeDeclaration && !h.includes('?>')) return ''; // inside the XML declaration
    return this.start(head);
  }

  end(): string {
    let text = '';
    if (!this.choice) text = this.start(Buffer.concat(this.head));
    if (this.decoder) {
      try {
        text += this.decoder.decode();
      } catch {
        throw invalidBytes(new Uint8Array(0), 0, this.label(), 'utf-8', this.consumed);
      }
    }
    return text;
  }

  private start(head: Buffer): string {
    this.choice = chooseEncoding(head, true);
    if (this.choice.kind === 'text') this.decoder = new TextDecoder(this.choice.label, { fatal: true });
    this.head = [];
    return head.length ? this.decode(head) : '';
  }

  private label(): string {
    const c = this.choice!;
    return c.kind === 'text' ? (c.declared ?? c.label.toUpperCase()) : c.label.toUpperCase();
  }

  private decode(chunk: Uint8Array): string {
    const c = this.choice!;
    const base = this.consumed;
    this.consumed += chunk.length;
    if (c.kind === 'bytes') return c.decode(chunk, base);
    try {
      return this.decoder!.decode(chunk, { stream: true });
    } catch {
      // A sequence that started in the previous chunk may put the offset up to 3 bytes early.
      throw invalidBytes(chunk, firstInvalid(c.label, chunk), this.label(), c.label, base);
    }
  }
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

const LATIN1 = new Set([
  'iso-8859-1',
  'iso8859-1',
  'iso_8859-1',
  'iso8859_1',
  'iso_8859_1',
  'iso-ir-100',
  'latin1',
  'latin-1',
  'l1',
  'cp819',
  'ibm819',
  'csisolatin1',
]);

function startsWith(b: Uint8Array, prefix: number[]): boolean {
  if (b.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false;
  return true;
}

/** The `encoding` of an XML declaration at the very start of ASCII-compatible bytes. */
function declaredEncoding(b: Uint8Array): string | undefined {
  if (!startsWith(b, [0x3c, 0x3f, 0x78, 0x6d, 0x6c])) return undefined; // <?xml
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 1024)).toString('latin1');
  if (!/^<\?xml[ \t\r\n]/.test(head)) return undefined;
  const end = head.indexOf('?>');
  const decl = end < 0 ? head : head.slice(0, end);
  const m = /[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')/.exec(decl);
  if (!m) return undefined;
  const value = m[1] ?? m[2];
  if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value))
    throw new XmlParseError(`Record declares an invalid encoding name "${value}"`, 1);
  return value;
}

function decodeWith(label: string, b: Uint8Array, declared?: string): DecodedRecord {
  try {
    return { text: new TextDecoder(label, { fatal: true }).decode(b), encoding: label };
  } catch {
    throw invalidBytes(b, firstInvalid(label, b), declared ?? label.toUpperCase(), label);
  }
}

/** Offset of the byte at which a strict decoder first fails (binary search over prefixes). */
function firstInvalid(label: string, b: Uint8Array): number {
  let lo = 0; // prefix of length lo decodes
  let hi = b.length; // prefix of length hi fails (the whole input, in stream mode or at its end)
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    try {
      new TextDecoder(label, { fatal: true }).decode(b.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return hi - 1;
}

function invalidBytes(b: Uint8Array, offset: number, encoding: string, label: string, base = 0): XmlParseError {
  const before = new TextDecoder(label).decode(b.subarray(0, offset));
  let line = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  const byte =
    offset < b.length ? ` (0x${b[offset].toString(16).padStart(2, '0').toUpperCase()})` : ' (truncated sequence)';
  // Within a stream the line is only known inside the chunk: report the offset alone.
  return new XmlParseError(`Invalid ${encoding} byte at byte offset ${base + offset}${byte}`, base ? 0 : line);
}

function unsupported(encoding: string): XmlParseError {
  return new XmlParseError(`Unsupported encoding "${encoding}"`, 1);
}

/** 0x80–0x9F of windows-1252 (Node's TextDecoder reads this label as ISO-8859-1); undefined bytes stay C1. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function windows1252(b: Uint8Array): string {
  const latin = latin1(b);
  return latin.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}
