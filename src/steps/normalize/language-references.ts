/**
 * The two language operations (Metis NORMALIZE_DC_LANGUAGE_REFERENCES and NORMALIZE_XML_LANG_REFERENCES).
 */
import { NS } from '../../edm/namespaces.ts';
import { childElements, getAttr, removeAttr, setAttr, walkElements, type XmlElement } from '../../edm/xml.ts';
import { classesOf, createEdmElement, europeanaProxy, insertAfterLast, ownText, providerProxies } from './edm-tree.ts';
import { normalizeLanguage } from './languages/language-matcher.ts';

/**
 * 4. Each provider proxy's dc:language value is matched; the codes found (confidence ≥ minimum) are
 * added to the Europeana proxy as new dc:language elements right after its last dc:identifier (each new
 * one directly after it, as Metis inserts them), unless that proxy already has the code. The provider
 * value is left as it is. Returns the number of elements added.
 */
export function normalizeDcLanguage(root: XmlElement, minimumConfidence: number): number {
  const target = europeanaProxy(root);
  const present = new Set(childElements(target, NS.dc, 'language').map(ownText));
  let added = 0;
  for (const proxy of providerProxies(root)) {
    for (const language of childElements(proxy, NS.dc, 'language')) {
      const result = normalizeLanguage(ownText(language), minimumConfidence);
      for (const code of result?.codes ?? []) {
        if (present.has(code)) continue;
        present.add(code);
        const el = createEdmElement([root, target], 'dc', 'language', [], code);
        insertAfterLast(target, el, (c) => c.ns === NS.dc && c.local === 'identifier');
        added++;
      }
    }
  }
  return added;
}

/** The classes whose xml:lang attributes are normalized (not WebResource, not EuropeanaAggregation). */
const XML_LANG_CLASSES = [
  [NS.ore, 'Aggregation'],
  [NS.edm, 'Agent'],
  [NS.skos, 'Concept'],
  [NS.edm, 'Place'],
  [NS.edm, 'TimeSpan'],
] as const;

/**
 * 5. Every xml:lang under the provider proxies and the classes above is replaced by its code when it
 * matches exactly one language with enough confidence (`eng` → `en`), and removed otherwise.
 * Returns the number of attributes changed or removed.
 */
export function normalizeXmlLang(root: XmlElement, minimumConfidence: number): number {
  let changed = 0;
  for (const scope of [...providerProxies(root), ...classesOf(root, XML_LANG_CLASSES)]) {
    for (const el of walkElements(scope)) {
      const value = getAttr(el, NS.xml, 'lang');
      if (value === undefined) continue;
      const code = xmlLangCode(value, minimumConfidence);
      if (code === undefined) {
        removeAttr(el, NS.xml, 'lang');
        changed++;
      } else if (code !== value) {
        setAttr(el, 'xml:lang', NS.xml, code);
        changed++;
      }
    }
  }
  return changed;
}

// xml:lang values repeat across records and the vocabulary never changes: remember the answers.
const XML_LANG_CACHE_LIMIT = 10_000;
const xmlLangCache = new Map<string, string | null>();

/** The single code an xml:lang value normalizes to, or undefined (then the attribute goes). */
function xmlLangCode(value: string, minimumConfidence: number): string | undefined {
  const key = `${minimumConfidence} ${value}`;
  let code = xmlLangCache.get(key);
  if (code === undefined) {
    const result = normalizeLanguage(value, minimumConfidence);
    code = result && result.codes.length === 1 ? result.codes[0] : null;
    if (xmlLangCache.size >= XML_LANG_CACHE_LIMIT) xmlLangCache.clear();
    xmlLangCache.set(key, code);
  }
  return code ?? undefined;
}
