/**
 * The XSD set read as Xerces sees it, for wording errors as Metis reports them (xerces-wording.ts):
 * global element declarations, complex types (content model particles in schema order, attribute
 * uses), simple types (facets, unions) and the names Xerces gives them (`#AnonType_…` for anonymous
 * ones). libxml2 still decides validity (xsd.ts); this model only says *what* Xerces would have
 * reported, so it covers the XSD 1.0 constructs the EDM schemas use and marks the rest unsupported.
 *
 * The schema files are read only from the schema folder (the same rule as xsd.ts's input provider).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { parseXml, type XmlElement } from '../../edm/xml.ts';

export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const UNBOUNDED = Infinity;

export interface SimpleTypeDef {
  kind: 'simple';
  /** The name in Xerces messages: `string`, `hexBinaryString`, `#AnonType_lang`, … */
  name: string;
  /** The built-in type this one is (or derives from), e.g. `long`. */
  builtin: string;
  variety: 'atomic' | 'union' | 'list';
  members?: SimpleTypeDef[];
  enumeration?: string[];
  /** One entry per derivation step that has patterns (a value must match each step). */
  patterns: Array<{ sources: string[]; res: Array<RegExp | undefined> }>;
  minInclusive?: string;
  maxInclusive?: string;
  whiteSpace: 'preserve' | 'replace' | 'collapse';
}

export interface AttributeUse {
  ns: string;
  name: string;
  required: boolean;
  fixed?: string;
  /** The fixed value is on the attribute use (Xerces: cvc-complex-type.3.1), not the declaration (cvc-attribute.4). */
  fixedOnUse?: boolean;
  type: SimpleTypeDef;
}

export interface ElementDecl {
  ns: string;
  name: string;
  type: () => TypeDef;
}

export type Particle =
  | { kind: 'element'; decl: ElementDecl; min: number; max: number }
  | { kind: 'sequence' | 'choice'; children: Particle[]; min: number; max: number }
  | { kind: 'any'; min: number; max: number };

export interface ComplexTypeDef {
  kind: 'complex';
  name: string;
  contentType: 'empty' | 'simple' | 'element' | 'mixed';
  particle?: Particle;
  simpleType?: SimpleTypeDef;
  attributes: AttributeUse[];
  anyAttribute: boolean;
}

export type TypeDef = ComplexTypeDef | SimpleTypeDef;

/** A construct this model does not follow (the caller keeps libxml2's wording then). */
export class UnsupportedSchema extends Error {}

export interface XsdModel {
  /** Global element declaration by `{ns}local`. */
  element(ns: string, local: string): ElementDecl | undefined;
}

interface Ctx {
  el: XmlElement;
  scope: Map<string, string>;
  tns: string;
  elementQualified: boolean;
  attributeQualified: boolean;
  /** The chain of `name` attributes up to the schema element (for Xerces's anonymous type names). */
  names: string[];
}

const BUILTIN_WS: Record<string, SimpleTypeDef['whiteSpace']> = { string: 'preserve', normalizedString: 'replace' };

function builtin(name: string): SimpleTypeDef {
  return {
    kind: 'simple',
    name,
    builtin: name,
    variety: 'atomic',
    patterns: [],
    whiteSpace: BUILTIN_WS[name] ?? 'collapse',
  };
}

function occurs(el: XmlElement, name: string, dflt: number): number {
  const v = el.attrs.find((a) => a.ns === '' && a.local === name)?.value.trim();
  if (v === undefined) return dflt;
  return v === 'unbounded' ? UNBOUNDED : Number(v);
}

const attr = (el: XmlElement, name: string) => el.attrs.find((a) => a.ns === '' && a.local === name)?.value;
const xsChildren = (el: XmlElement) =>
  el.children.filter((c): c is XmlElement => c.kind === 'element' && c.ns === XSD_NS && c.local !== 'annotation');

/** Converts an XSD regular expression into an anchored JavaScript one; undefined when it cannot. */
export function xsdRegex(source: string): RegExp | undefined {
  if (/\\[iIcC]|-\[/.test(source)) return undefined;
  try {
    return new RegExp(`^(?:${source.replace(/[\^$]/g, (c) => '\\' + c)})$`, 'u');
  } catch {
    return undefined;
  }
}

/**
 * Reads the schema set rooted at `rootPath` (imports and includes followed inside `schemaDir`).
 * @throws UnsupportedSchema when a file cannot be read or a construct is unknown
 */
export function loadXsdModel(schemaDir: string, rootPath: string): XsdModel {
  const root = resolve(schemaDir) + sep;
  const globals = {
    element: new Map<string, Ctx>(),
    complexType: new Map<string, Ctx>(),
    simpleType: new Map<string, Ctx>(),
    attribute: new Map<string, Ctx>(),
    attributeGroup: new Map<string, Ctx>(),
    group: new Map<string, Ctx>(),
  };
  const loaded = new Set<string>();

  const load = (path: string, chameleonTns?: string): void => {
    const abs = resolve(path);
    if (!abs.startsWith(root)) throw new UnsupportedSchema(`schema outside the schema folder: ${path}`);
    const key = `${abs}#${chameleonTns ?? ''}`;
    if (loaded.has(key)) return;
    loaded.add(key);
    const schema = parseXml(readFileSync(abs, 'utf8')).root;
    const scope = declarations(new Map(), schema);
    const tns = attr(schema, 'targetNamespace') ?? chameleonTns ?? '';
    const base: Omit<Ctx, 'el' | 'names'> = {
      scope,
      tns,
      elementQualified: attr(schema, 'elementFormDefault') === 'qualified',
      attributeQualified: attr(schema, 'attributeFormDefault') === 'qualified',
    };
    for (const c of xsChildren(schema)) {
      const loc = attr(c, 'schemaLocation');
      if ((c.local === 'import' || c.local === 'include' || c.local === 'redefine') && loc) {
        if (c.local === 'redefine') throw new UnsupportedSchema('xs:redefine');
        load(resolve(dirname(abs), loc), c.local === 'include' ? tns : undefined);
        continue;
      }
      const name = attr(c, 'name');
      const table = (globals as Record<string, Map<string, Ctx>>)[c.local];
      if (table && name) table.set(`{${tns}}${name}`, { ...base, el: c, scope: declarations(scope, c), names: [name] });
    }
  };
  load(rootPath);

  const memo = new Map<Ctx | string, unknown>();
  const cached = <T>(key: Ctx | string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };

  const resolveQName = (ctx: Ctx, qname: string): string => {
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    const ns = prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : ctx.scope.get(prefix);
    if (ns === undefined) throw new UnsupportedSchema(`unbound prefix in ${qname}`);
    return `{${ns}}${local}`;
  };
  const child = (ctx: Ctx, el: XmlElement): Ctx => ({
    ...ctx,
    el,
    scope: declarations(ctx.scope, el),
    names: attr(el, 'name') !== undefined ? [...ctx.names, attr(el, 'name')!] : ctx.names,
  });
  const lookup = (table: Map<string, Ctx>, key: string, what: string): Ctx => {
    const c = table.get(key);
    if (!c) throw new UnsupportedSchema(`${what} ${key} not found`);
    return c;
  };

  const typeByName = (key: string): TypeDef => {
    if (key.startsWith(`{${XSD_NS}}`)) {
      const local = key.slice(XSD_NS.length + 2);
      return local === 'anyType' ? anyType() : builtin(local);
    }
    const ct = globals.complexType.get(key);
    if (ct) return complexType(ct);
    return simpleType(lookup(globals.simpleType, key, 'type'));
  };

  const anyType = (): ComplexTypeDef => ({
    kind: 'complex',
    name: 'anyType',
    contentType: 'mixed',
    particle: { kind: 'any', min: 0, max: UNBOUNDED },
    attributes: [],
    anyAttribute: true,
  });

  const simpleType = (ctx: Ctx): SimpleTypeDef =>
    cached(ctx, () => {
      const name = attr(ctx.el, 'name') ?? `#AnonType_${[...ctx.names].reverse().join('')}`;
      const body = xsChildren(ctx.el)[0];
      if (!body) throw new UnsupportedSchema('empty simpleType');
      if (body.local === 'union') {
        const members: SimpleTypeDef[] = (attr(body, 'memberTypes') ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((q) => asSimple(typeByName(resolveQName(ctx, q))));
        for (const m of xsChildren(body)) members.push(simpleType(child(ctx, m)));
        return {
          kind: 'simple',
          name,
          builtin: 'union',
          variety: 'union',
          members,
          patterns: [],
          whiteSpace: 'collapse',
        };
      }
      if (body.local === 'list') throw new UnsupportedSchema('xs:list');
      return restrict(ctx, body, name);
    });

  const asSimple = (t: TypeDef): SimpleTypeDef => {
    if (t.kind === 'simple') return t;
    if (t.simpleType) return t.simpleType;
    throw new UnsupportedSchema(`complex type ${t.name} used as a simple type`);
  };

  /** An `xs:restriction` of a simple type (also used for simpleContent restrictions). */
  const restrict = (ctx: Ctx, r: XmlElement, name: string, baseType?: SimpleTypeDef): SimpleTypeDef => {
    const baseName = attr(r, 'base');
    const inline = xsChildren(r).find((c) => c.local === 'simpleType');
    const base =
      baseType ?? (baseName ? asSimple(typeByName(resolveQName(ctx, baseName))) : simpleType(child(ctx, inline!)));
    const out: SimpleTypeDef = { ...base, name, patterns: [...base.patterns] };
    const enums: string[] = [];
    const pats: string[] = [];
    for (const f of xsChildren(r)) {
      const v = attr(f, 'value') ?? '';
      if (f.local === 'enumeration') enums.push(v);
      else if (f.local === 'pattern') pats.push(v);
      else if (f.local === 'minInclusive') out.minInclusive = v;
      else if (f.local === 'maxInclusive') out.maxInclusive = v;
      else if (f.local === 'whiteSpace') out.whiteSpace = v as SimpleTypeDef['whiteSpace'];
      else if (f.local !== 'simpleType' && f.local !== 'attribute' && f.local !== 'attributeGroup')
        throw new UnsupportedSchema(`facet ${f.local}`);
    }
    if (enums.length) out.enumeration = enums;
    if (pats.length) out.patterns.push({ sources: pats, res: pats.map(xsdRegex) });
    return out;
  };

  const complexType = (ctx: Ctx): ComplexTypeDef =>
    cached(ctx, () => {
      const name = attr(ctx.el, 'name') ?? `#AnonType_${[...ctx.names].reverse().join('')}`;
      const mixed = attr(ctx.el, 'mixed') === 'true';
      const out: ComplexTypeDef = { kind: 'complex', name, contentType: 'empty', attributes: [], anyAttribute: false };
      const body = xsChildren(ctx.el);
      const content = body.find((c) => c.local === 'simpleContent' || c.local === 'complexContent');
      if (!content) {
        out.particle = particleOf(ctx, body);
        out.contentType = out.particle ? (mixed ? 'mixed' : 'element') : mixed ? 'mixed' : 'empty';
        addAttributes(ctx, body, out);
        return out;
      }
      const cctx = child(ctx, content);
      const deriv = xsChildren(content)[0];
      const dctx = child(cctx, deriv);
      const baseName = attr(deriv, 'base');
      const base = baseName ? typeByName(resolveQName(ctx, baseName)) : undefined;
      const derivBody = xsChildren(deriv);
      if (content.local === 'simpleContent') {
        out.contentType = 'simple';
        const baseSimple = base?.kind === 'complex' ? base.simpleType : base;
        if (!baseSimple) throw new UnsupportedSchema(`simpleContent of ${name} without a simple base`);
        out.simpleType = deriv.local === 'restriction' ? restrict(dctx, deriv, name, baseSimple) : baseSimple;
      } else {
        const own = particleOf(dctx, derivBody);
        const baseParticle = base?.kind === 'complex' && deriv.local === 'extension' ? base.particle : undefined;
        out.particle =
          baseParticle && own
            ? { kind: 'sequence', children: [baseParticle, own], min: 1, max: 1 }
            : (own ?? baseParticle);
        const cmixed = attr(content, 'mixed') === 'true' || mixed;
        out.contentType = out.particle ? (cmixed ? 'mixed' : 'element') : cmixed ? 'mixed' : 'empty';
      }
      addAttributes(dctx, derivBody, out);
      if (base?.kind === 'complex') {
        for (const a of base.attributes)
          if (!out.attributes.some((o) => o.ns === a.ns && o.name === a.name)) out.attributes.push(a);
        out.anyAttribute ||= base.anyAttribute;
      }
      return out;
    });

  const addAttributes = (ctx: Ctx, body: XmlElement[], out: ComplexTypeDef): void => {
    for (const a of body) {
      if (a.local === 'attribute') {
        if (attr(a, 'use') === 'prohibited') continue;
        out.attributes.push(attributeUse(child(ctx, a)));
      } else if (a.local === 'attributeGroup') {
        const g = lookup(globals.attributeGroup, resolveQName(ctx, attr(a, 'ref') ?? ''), 'attributeGroup');
        addAttributes(g, xsChildren(g.el), out);
      } else if (a.local === 'anyAttribute') out.anyAttribute = true;
    }
  };

  const attributeUse = (ctx: Ctx): AttributeUse => {
    const a = ctx.el;
    const ref = attr(a, 'ref');
    const decl = ref ? lookup(globals.attribute, resolveQName(ctx, ref), 'attribute') : ctx;
    const qualified = ref !== undefined || decl.attributeQualified || attr(a, 'form') === 'qualified';
    const key = ref ? resolveQName(ctx, ref) : `{${qualified ? ctx.tns : ''}}${attr(a, 'name')}`;
    const typeName = attr(decl.el, 'type');
    const inline = xsChildren(decl.el).find((c) => c.local === 'simpleType');
    const type = typeName
      ? asSimple(typeByName(resolveQName(decl, typeName)))
      : inline
        ? simpleType(child(decl, inline))
        : builtin('anySimpleType');
    const { ns, local } = splitKey(key);
    return {
      ns,
      name: local,
      required: attr(a, 'use') === 'required',
      fixed: attr(a, 'fixed') ?? attr(decl.el, 'fixed'),
      fixedOnUse: ref !== undefined && attr(a, 'fixed') !== undefined,
      type,
    };
  };

  const particleOf = (ctx: Ctx, body: XmlElement[]): Particle | undefined => {
    const p = body.find((c) => ['sequence', 'choice', 'all', 'group'].includes(c.local));
    return p ? particle(child(ctx, p)) : undefined;
  };

  const particle = (ctx: Ctx): Particle | undefined => {
    const el = ctx.el;
    const min = occurs(el, 'minOccurs', 1);
    const max = occurs(el, 'maxOccurs', 1);
    if (max === 0) return undefined;
    switch (el.local) {
      case 'element':
        return { kind: 'element', decl: elementDecl(ctx), min, max };
      case 'any':
        return { kind: 'any', min, max };
      case 'sequence':
      case 'choice': {
        const children = xsChildren(el)
          .map((c) => particle(child(ctx, c)))
          .filter((p): p is Particle => p !== undefined);
        return children.length ? { kind: el.local, children, min, max } : undefined;
      }
      case 'group': {
        const g = lookup(globals.group, resolveQName(ctx, attr(el, 'ref') ?? ''), 'group');
        const inner = particleOf(g, xsChildren(g.el));
        return inner && { ...inner, min, max };
      }
      default:
        throw new UnsupportedSchema(`particle ${el.local}`);
    }
  };

  const elementDecl = (ctx: Ctx): ElementDecl =>
    cached(ctx, () => {
      const ref = attr(ctx.el, 'ref');
      if (ref) return globalElement(resolveQName(ctx, ref));
      const isGlobal = ctx.names.length === 1;
      const qualified = isGlobal || ctx.elementQualified || attr(ctx.el, 'form') === 'qualified';
      return declFrom(ctx, qualified ? ctx.tns : '');
    });

  const declFrom = (ctx: Ctx, ns: string): ElementDecl => {
    let type: TypeDef | undefined;
    return {
      ns,
      name: attr(ctx.el, 'name')!,
      type: () => {
        if (type) return type;
        const typeName = attr(ctx.el, 'type');
        const inline = xsChildren(ctx.el).find((c) => c.local === 'complexType' || c.local === 'simpleType');
        if (attr(ctx.el, 'substitutionGroup') || attr(ctx.el, 'abstract') === 'true')
          throw new UnsupportedSchema('substitution groups');
        type = typeName
          ? typeByName(resolveQName(ctx, typeName))
          : inline
            ? inline.local === 'complexType'
              ? complexType(child(ctx, inline))
              : simpleType(child(ctx, inline))
            : anyType();
        return type;
      },
    };
  };

  const globalElement = (key: string): ElementDecl =>
    cached(key, () => {
      const ctx = lookup(globals.element, key, 'element');
      return declFrom(ctx, splitKey(key).ns);
    });

  return {
    element(ns, local) {
      const key = `{${ns}}${local}`;
      return globals.element.has(key) ? globalElement(key) : undefined;
    },
  };
}

function splitKey(key: string): { ns: string; local: string } {
  const close = key.indexOf('}');
  return { ns: key.slice(1, close), local: key.slice(close + 1) };
}

/** The scope extended with the namespace declarations on `el` (a new map only when it declares any). */
function declarations(scope: Map<string, string>, el: XmlElement): Map<string, string> {
  let out = scope;
  for (const a of el.attrs) {
    if (a.name !== 'xmlns' && a.prefix !== 'xmlns') continue;
    if (out === scope) out = new Map(scope);
    out.set(a.name === 'xmlns' ? '' : a.local, a.value);
  }
  return out;
}
