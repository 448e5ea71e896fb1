/**
 * Writes the metadata child of a GetRecord response (oai-response.ts) as a standalone XML string,
 * straight from the saxes events.
 */
import type { SaxesTagNS } from 'saxes';
import { escapeAttr } from '../../../edm/xml.ts';

/**
 * Serializes one element subtree from saxes events, and writes onto its root every namespace
 * declaration that was in scope (declared on an ancestor), that the subtree uses (element or
 * attribute prefixes, or `prefix:` at the start of an attribute value such as `xsi:type="dc:W3CDTF"`)
 * and that it does not declare itself, so the string stands alone.
 */
export class SubtreeWriter {
  private readonly out: string[] = [];
  private rootOpen = '';
  private pendingClose = false;
  private depth = 0;
  private readonly used = new Set<string>();
  private readonly declaredInside: Array<Record<string, string>> = [];

  constructor(private readonly inherited: Map<string, string>) {}

  open(tag: SaxesTagNS): void {
    this.flushOpen();
    this.used.add(tag.prefix);
    let s = '<' + tag.name;
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix && a.prefix !== 'xmlns') this.used.add(a.prefix);
      const qn = /^([A-Za-z_][\w.-]*):/.exec(a.value);
      if (qn) this.used.add(qn[1]);
      s += ` ${a.name}="${escapeAttr(a.value)}"`;
    }
    this.declaredInside.push(tag.ns);
    if (this.depth === 0) this.rootOpen = s;
    else this.out.push(s);
    this.pendingClose = true;
    this.depth++;
  }

  content(raw: string): void {
    this.flushOpen();
    this.out.push(raw);
  }

  /** Returns true when the subtree's root element closed. */
  close(tag: SaxesTagNS): boolean {
    this.depth--;
    this.declaredInside.pop();
    if (this.pendingClose) {
      this.pendingClose = false;
      if (this.depth === 0) this.rootOpen += '/>';
      else this.out.push('/>');
    } else this.out.push(`</${tag.name}>`);
    return this.depth === 0;
  }

  private flushOpen(): void {
    if (!this.pendingClose) return;
    this.pendingClose = false;
    if (this.depth === 1 && this.out.length === 0) this.rootOpen += '>';
    else this.out.push('>');
  }

  /** The finished standalone XML string. `rootNs` holds the declarations made on the root itself. */
  result(rootNs: Record<string, string>): string {
    let extra = '';
    for (const [prefix, uri] of this.inherited) {
      if (prefix === 'xml' || prefix in rootNs || !this.used.has(prefix)) continue;
      extra += prefix === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${prefix}="${escapeAttr(uri)}"`;
    }
    const open = this.rootOpen.endsWith('/>')
      ? this.rootOpen.slice(0, -2) + extra + '/>'
      : this.rootOpen.slice(0, -1) + extra + '>';
    return open + this.out.join('');
  }
}
