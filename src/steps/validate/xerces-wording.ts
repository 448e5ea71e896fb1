/**
 * XSD errors worded as Metis reports them (issue #15): Metis validates a DOM with the JDK's Xerces and
 * reports the first error's message (`cvc-complex-type.2.4.a: Invalid content was found starting
 * with element '{"ns":local}'. One of '{"ns":a, "ns":b}' is expected.`). libxml2 decides validity
 * (xsd.ts); for a record it finds invalid, this walks the same tree the way Xerces validates it
 * (document order; attributes sorted by name as in a DOM; text and content completeness checked at
 * the end tag) over the schema model (xsd-model.ts) and words the first error as Xerces does. The
 * expected-element lists follow Xerces's content-model order. `undefined` means the error is of a
 * class not followed here: the caller keeps libxml2's message (see the table in the README).
 */
import type { XmlElement } from '../../edm/xml.ts';
import type {
  AttributeUse,
  ComplexTypeDef,
  ElementDecl,
  Particle,
  SimpleTypeDef,
  TypeDef,
  XsdModel,
} from './xsd-model.ts';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

/** Thrown inside the walk to stop at the first error (Xerces's default error handler throws too). */
class Found {
  constructor(readonly message: string) {}
}
class GiveUp {}

/** The first XSD error of `root` in Xerces's wording, or undefined when none is found here. */
export function xercesFirstError(model: XsdModel, root: XmlElement): string | undefined {
  try {
    const decl = model.element(root.ns, root.local);
    if (!decl) return `cvc-elt.1.a: Cannot find the declaration of element '${root.name}'.`;
    element(root, decl.type());
    return undefined;
  } catch (e) {
    if (e instanceof Found) return e.message;
    return undefined; // GiveUp, UnsupportedSchema, or a bug: keep libxml2's wording
  }
}

const expanded = (el: { ns: string; local: string }) => (el.ns ? `{"${el.ns}":${el.local}}` : el.local);
const term = (d: ElementDecl) => (d.ns ? `"${d.ns}":${d.name}` : d.name);
function report(message: string): never {
  throw new Found(message);
}

function element(el: XmlElement, type: TypeDef): void {
  if (type.kind === 'simple') {
    for (const a of sortedAttrs(el))
      if (a.ns !== XSI)
        report(
          `cvc-type.3.1.1: Element '${el.name}' is a simple type, so it cannot have attributes, excepting those whose namespace name is identical to 'http://www.w3.org/2001/XMLSchema-instance' and whose [local name] is one of 'type', 'nil', 'schemaLocation' or 'noNamespaceSchemaLocation'. However, the attribute, '${a.name}' was found.`,
        );
    if (el.children.some((c) => c.kind === 'element'))
      report(
        `cvc-type.3.1.2: Element '${el.name}' is a simple type, so it must have no element information item [children].`,
      );
    const err = checkValue(type, text(el));
    if (err) report(err);
    return;
  }
  attributes(el, type);
  const cm = type.particle ? new ContentModel(type.particle) : undefined;
  let sawText = false;
  let sawChars = false;
  let sawElement = false;
  for (const c of el.children) {
    if (c.kind === 'text') {
      sawText ||= c.text.length > 0;
      sawChars ||= /[^ \t\r\n]/.test(c.text);
    } else if (c.kind === 'element') {
      sawElement = true;
      if (type.contentType === 'simple' || type.contentType === 'empty') continue; // reported at the end tag
      const matched = cm!.step(c);
      if (matched === 'any') continue; // a wildcard: skipped (no EDM type has one)
      element(c, matched.type());
    }
  }
  if (type.contentType === 'empty' && (sawElement || sawText))
    report(
      `cvc-complex-type.2.1: Element '${el.name}' must have no character or element information item [children], because the type's content type is empty.`,
    );
  if (type.contentType === 'simple') {
    if (sawElement)
      report(
        `cvc-complex-type.2.2: Element '${el.name}' must have no element [children], and the value must be valid.`,
      );
    const err = checkValue(type.simpleType!, text(el));
    if (err) report(err);
  }
  if (type.contentType === 'element' && sawChars)
    report(
      `cvc-complex-type.2.3: Element '${el.name}' cannot have character [children], because the type's content type is element-only.`,
    );
  if (cm) cm.end(el);
}

function text(el: XmlElement): string {
  let s = '';
  for (const c of el.children) if (c.kind === 'text') s += c.text;
  return s;
}

/** Attributes in DOM order (a Xerces DOM keeps them sorted by qualified name), declarations left out. */
function sortedAttrs(el: XmlElement) {
  return el.attrs.filter((a) => a.ns !== XMLNS).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function attributes(el: XmlElement, type: ComplexTypeDef): void {
  const seen = new Set<AttributeUse>();
  for (const a of sortedAttrs(el)) {
    if (a.ns === XSI) continue;
    const use = type.attributes.find((u) => u.ns === a.ns && u.name === a.local);
    if (!use) {
      if (type.anyAttribute) throw new GiveUp();
      report(`cvc-complex-type.3.2.2: Attribute '${a.name}' is not allowed to appear in element '${el.name}'.`);
    }
    seen.add(use);
    const err = checkValue(use.type, a.value);
    if (err) report(err);
    if (
      use.fixed !== undefined &&
      normalize(a.value, use.type.whiteSpace) !== normalize(use.fixed, use.type.whiteSpace)
    )
      report(
        use.fixedOnUse
          ? `cvc-complex-type.3.1: Value '${a.value}' of attribute '${a.name}' of element '${el.name}' is not valid with respect to the corresponding attribute use. Attribute '${a.name}' has a fixed value of '${use.fixed}'.`
          : `cvc-attribute.4: The value '${a.value}' of attribute '${a.name}' on element '${el.name}' is not valid with respect to its fixed {value constraint}. The attribute must have a value of '${use.fixed}'.`,
      );
  }
  for (const use of type.attributes)
    if (use.required && !seen.has(use))
      report(
        use.ns
          ? `cvc-complex-type.4: Attribute '${use.name}' belonging to namespace '${use.ns}', must appear on element '${el.name}'.`
          : `cvc-complex-type.4: Attribute '${use.name}' must appear on element '${el.name}'.`,
      );
}

// ---------------------------------------------------------------------------------------------
// Content models: Glushkov positions (the same follow sets Xerces's DFA is built from), leaves in
// schema order; an element leaf with bounds other than 0/1/unbounded under non-repeating groups is a
// counting leaf, as in Xerces's optimised models.

interface Leaf {
  index: number;
  decl?: ElementDecl;
  min: number;
  max: number;
  counting: boolean;
  follow: Set<Leaf>;
}

interface Node {
  nullable: boolean;
  first: Set<Leaf>;
  last: Set<Leaf>;
}

/** Builds a content model's positions once; the automaton is shared by every element of the type. */
class Builder {
  readonly leaves: Leaf[] = [];

  private leaf(decl: ElementDecl | undefined, min: number, max: number, counting: boolean): Node {
    const l: Leaf = { index: this.leaves.length, decl, min, max, counting, follow: new Set() };
    this.leaves.push(l);
    return { nullable: false, first: new Set([l]), last: new Set([l]) };
  }

  build(p: Particle, topLevel: boolean): Node {
    const plain = p.min === 1 && p.max === 1;
    let node: Node;
    if (p.kind === 'element' || p.kind === 'any') {
      const decl = p.kind === 'element' ? p.decl : undefined;
      const standard = plain || (p.min <= 1 && (p.max === 1 || p.max === Infinity));
      if (!standard && !topLevel) throw new GiveUp();
      node = this.leaf(decl, p.min, p.max, !standard);
      if (!standard) return this.repeat(node, p.min === 0, true);
    } else {
      const parts = p.children.map((c) => this.build(c, topLevel && plain));
      node = p.kind === 'sequence' ? parts.reduce((a, b) => this.seq(a, b)) : parts.reduce((a, b) => this.alt(a, b));
      if (!plain && !(p.min <= 1 && (p.max === 1 || p.max === Infinity))) throw new GiveUp();
    }
    if (plain) return node;
    return this.repeat(node, p.min === 0, p.max === Infinity);
  }

  private repeat(n: Node, optional: boolean, many: boolean): Node {
    if (many) for (const l of n.last) for (const f of n.first) l.follow.add(f);
    return { nullable: n.nullable || optional, first: n.first, last: n.last };
  }

  private seq(a: Node, b: Node): Node {
    for (const l of a.last) for (const f of b.first) l.follow.add(f);
    return {
      nullable: a.nullable && b.nullable,
      first: a.nullable ? new Set([...a.first, ...b.first]) : a.first,
      last: b.nullable ? new Set([...a.last, ...b.last]) : b.last,
    };
  }

  private alt(a: Node, b: Node): Node {
    return {
      nullable: a.nullable || b.nullable,
      first: new Set([...a.first, ...b.first]),
      last: new Set([...a.last, ...b.last]),
    };
  }
}

const AUTOMATA = new WeakMap<Particle, Node>();

class ContentModel {
  private readonly root: Node;
  private state: Set<Leaf> | undefined; // undefined = at the start
  private count = 0;

  constructor(particle: Particle) {
    let root = AUTOMATA.get(particle);
    if (!root) {
      root = new Builder().build(particle, true);
      AUTOMATA.set(particle, root);
    }
    this.root = root;
  }

  private next(): Set<Leaf> {
    if (!this.state) return this.root.first;
    const out = new Set<Leaf>();
    for (const l of this.state) for (const f of l.follow) out.add(f);
    return out;
  }

  /** The counting leaf the current state loops on, if any. */
  private counting(): Leaf | undefined {
    if (!this.state || this.state.size !== 1) return undefined;
    const [l] = this.state;
    return l.counting ? l : undefined;
  }

  /** Xerces's `whatCanGoHere`: the leaves that may come next, in schema order, one per declaration. */
  private expected(): string {
    const c = this.counting();
    const seen = new Set<ElementDecl | undefined>();
    const out: string[] = [];
    for (const l of [...this.next()].sort((a, b) => a.index - b.index)) {
      if (c && l === c && this.count >= c.max) continue;
      if (c && l !== c && this.count < c.min) continue;
      if (!l.decl) throw new GiveUp(); // wildcards are worded differently; not in the EDM schemas
      if (seen.has(l.decl)) continue;
      seen.add(l.decl);
      out.push(term(l.decl));
    }
    return out.join(', ');
  }

  step(el: XmlElement): ElementDecl | 'any' {
    const c = this.counting();
    // The next state: every position the element matches (the DFA state Xerces builds from them).
    const matches = [...this.next()]
      .sort((a, b) => a.index - b.index)
      .filter((l) => (l.decl ? l.decl.ns === el.ns && l.decl.name === el.local : true));
    const match = matches[0];
    const loops = c !== undefined && match === c;
    if (match && loops && this.count + 1 > c.max) return this.fail(el, c);
    if (match && c && !loops && this.count < c.min) return this.fail(el, c);
    if (!match) return this.fail(el, c);
    this.count = loops ? this.count + 1 : match.counting ? 1 : 0;
    this.state = new Set(matches);
    return match.decl ?? 'any';
  }

  private fail(el: XmlElement, c: Leaf | undefined): never {
    const expected = this.expected();
    if (c && this.count >= c.max && c.decl && c.decl.ns === el.ns && c.decl.name === el.local) {
      if (expected)
        report(
          `cvc-complex-type.2.4.e: '${el.name}' can occur a maximum of '${c.max}' times in the current sequence. This limit was exceeded. At this point one of '{${expected}}' is expected.`,
        );
      report(
        `cvc-complex-type.2.4.f: '${term(c.decl)}' can occur a maximum of '${c.max}' times in the current sequence. This limit was exceeded. No child element is expected at this point.`,
      );
    }
    if (c && this.count < c.min) throw new GiveUp(); // 2.4.g/j: not in the EDM schemas
    if (expected)
      report(
        `cvc-complex-type.2.4.a: Invalid content was found starting with element '${expanded(el)}'. One of '{${expected}}' is expected.`,
      );
    report(
      `cvc-complex-type.2.4.d: Invalid content was found starting with element '${expanded(el)}'. No child element is expected at this point.`,
    );
  }

  end(el: XmlElement): void {
    const c = this.counting();
    const final = this.state ? [...this.state].some((l) => this.root.last.has(l)) : this.root.nullable;
    if (final && !(c && this.count < c.min)) return;
    if (c && this.count < c.min) throw new GiveUp(); // 2.4.i/j: not in the EDM schemas
    report(
      `cvc-complex-type.2.4.b: The content of element '${el.name}' is not complete. One of '{${this.expected()}}' is expected.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Values: whitespace, pattern, the built-in lexical space, then facets (Xerces's order).

export function normalize(v: string, ws: SimpleTypeDef['whiteSpace']): string {
  if (ws === 'preserve') return v;
  const r = v.replace(/[\t\n\r]/g, ' ');
  return ws === 'replace' ? r : r.replace(/ +/g, ' ').trim();
}

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
const DOUBLE = /^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$/;
const DATE = /^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$/;
const LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
const NCNAME = /^[A-Za-z_\u00C0-\uFFFD][-.0-9A-Za-z_\u00B7-\uFFFD]*$/u;
const INTEGER_TYPES = new Set([
  'integer',
  'long',
  'int',
  'short',
  'byte',
  'nonNegativeInteger',
  'positiveInteger',
  'nonPositiveInteger',
  'negativeInteger',
  'unsignedLong',
  'unsignedInt',
  'unsignedShort',
  'unsignedByte',
]);
const RANGES: Record<string, [string?, string?]> = {
  long: ['-9223372036854775808', '9223372036854775807'],
  int: ['-2147483648', '2147483647'],
  short: ['-32768', '32767'],
  byte: ['-128', '127'],
  nonNegativeInteger: ['0', undefined],
  positiveInteger: ['1', undefined],
  nonPositiveInteger: [undefined, '0'],
  negativeInteger: [undefined, '-1'],
};

/** The Xerces message for `value` against `type`, or undefined when valid (or not checkable here). */
function checkValue(type: SimpleTypeDef, raw: string): string | undefined {
  if (type.variety === 'union') {
    if (type.members!.some((m) => checkValue(m, raw) === undefined)) return undefined;
    return `cvc-datatype-valid.1.2.3: '${raw}' is not a valid value of union type '${type.name}'.`;
  }
  if (type.variety === 'list') throw new GiveUp();
  const v = normalize(raw, type.whiteSpace);
  // Xerces checks the patterns of each derivation step, the type's own first; a step's patterns are
  // alternatives, reported joined with '|'.
  for (const step of [...type.patterns].reverse()) {
    if (step.res.some((re) => re === undefined)) throw new GiveUp();
    if (!step.res.some((re) => re!.test(v)))
      return `cvc-pattern-valid: Value '${raw}' is not facet-valid with respect to pattern '${step.sources.join('|')}' for type '${type.name}'.`;
  }
  const b = type.builtin;
  const lexical: Array<[boolean, string]> = [
    [INTEGER_TYPES.has(b), 'integer'],
    [b === 'decimal', 'decimal'],
    [b === 'double' || b === 'float', b],
    [b === 'boolean', 'boolean'],
    [b === 'date', 'date'],
  ];
  for (const [applies, dv] of lexical) {
    if (!applies) continue;
    const ok =
      dv === 'integer'
        ? INTEGER.test(v)
        : dv === 'decimal'
          ? DECIMAL.test(v)
          : dv === 'boolean'
            ? /^(true|false|1|0)$/.test(v)
            : dv === 'date'
              ? DATE.test(v)
              : DOUBLE.test(v);
    if (!ok) return `cvc-datatype-valid.1.2.1: '${v}' is not a valid value for '${dv}'.`;
  }
  if (b === 'language' && !LANGUAGE.test(v))
    return `cvc-datatype-valid.1.2.1: '${v}' is not a valid value for 'language'.`;
  if ((b === 'NCName' || b === 'ID' || b === 'IDREF') && !NCNAME.test(v))
    return `cvc-datatype-valid.1.2.1: '${v}' is not a valid value for 'NCName'.`;
  if (type.enumeration && !type.enumeration.includes(v))
    return `cvc-enumeration-valid: Value '${v}' is not facet-valid with respect to enumeration '[${type.enumeration.join(', ')}]'. It must be a value from the enumeration.`;
  const [min, max] = [type.minInclusive ?? RANGES[b]?.[0], type.maxInclusive ?? RANGES[b]?.[1]];
  // Xerces writes a facet value in its canonical form: `1.0` for a decimal, `1` for an integer type.
  const canonical = (f: string) => (INTEGER_TYPES.has(b) ? f : canonicalDecimal(f));
  if (min !== undefined && compareNumbers(v, min) < 0)
    return `cvc-minInclusive-valid: Value '${v}' is not facet-valid with respect to minInclusive '${canonical(min)}' for type '${type.name}'.`;
  if (max !== undefined && compareNumbers(v, max) > 0)
    return `cvc-maxInclusive-valid: Value '${v}' is not facet-valid with respect to maxInclusive '${canonical(max)}' for type '${type.name}'.`;
  return undefined;
}

/** A decimal numeral in XML Schema's canonical form: no `+`, no leading zeros, at least one fraction digit. */
function canonicalDecimal(s: string): string {
  const t = s.trim();
  const neg = t.startsWith('-');
  const [i, f = ''] = t.replace(/^[+-]/, '').split('.');
  const int = i.replace(/^0+(?=.)/, '') || '0';
  const frac = f.replace(/0+$/, '') || '0';
  return (neg && !(int === '0' && frac === '0') ? '-' : '') + int + '.' + frac;
}

/** Compares two decimal numerals exactly (no float rounding: long's bounds need 19 digits). */
function compareNumbers(a: string, b: string): number {
  const parse = (s: string) => {
    const neg = s.trim().startsWith('-');
    const [i, f = ''] = s.trim().replace(/^[+-]/, '').split('.');
    return { neg, i: i.replace(/^0+(?=.)/, '') || '0', f: f.replace(/0+$/, '') };
  };
  const x = parse(a);
  const y = parse(b);
  const zero = (n: { i: string; f: string }) => n.i === '0' && n.f === '';
  const xs = zero(x) ? 0 : x.neg ? -1 : 1;
  const ys = zero(y) ? 0 : y.neg ? -1 : 1;
  if (xs !== ys) return xs - ys;
  const mag =
    x.i.length !== y.i.length
      ? x.i.length - y.i.length
      : x.i !== y.i
        ? x.i < y.i
          ? -1
          : 1
        : x.f === y.f
          ? 0
          : x.f.padEnd(y.f.length, '0') < y.f.padEnd(x.f.length, '0')
            ? -1
            : 1;
  return xs < 0 ? -mag : mag;
}
