/**
 * 6. REMOVE_DUPLICATE_STATEMENTS (Metis `RemoveDuplicateStatementNormalizer`).
 */
import { NS } from '../../edm/namespaces.ts';
import { childElements, type XmlElement } from '../../edm/xml.ts';
import { isEuropeanaProxy, ownText, removeChild } from './edm-tree.ts';

/** Field groups compared for duplicates: the title and the alternative title form one group. */
const DUPLICATE_GROUPS: Array<Array<[string, string]>> = [
  [
    [NS.dc, 'title'],
    [NS.dcterms, 'alternative'],
  ],
  [[NS.dc, 'subject']],
  [[NS.dc, 'identifier']],
  [[NS.dc, 'type']],
];

/**
 * 6. Within each field group, over all Europeana proxies and, separately, over all provider proxies, a
 * statement equal to an earlier one (same own text, same non-blank attributes) is removed.
 * Returns the number of statements removed.
 */
export function removeDuplicateStatements(root: XmlElement): number {
  let removed = 0;
  const proxies = childElements(root, NS.ore, 'Proxy');
  for (const kind of [true, false]) {
    const ofKind = proxies.filter((p) => isEuropeanaProxy(p) === kind);
    for (const group of DUPLICATE_GROUPS) {
      const seen = new Set<string>();
      // Metis collects per field (all titles, then all alternatives), so a title is kept over an alternative.
      for (const [ns, local] of group) {
        for (const proxy of ofKind) {
          for (const el of childElements(proxy, ns, local)) {
            const key = statementKey(el);
            if (seen.has(key)) {
              removeChild(proxy, el);
              removed++;
            } else seen.add(key);
          }
        }
      }
    }
  }
  return removed;
}

function statementKey(el: XmlElement): string {
  const attrs = el.attrs
    .filter((a) => a.value.trim() !== '')
    .map((a) => `${a.ns}|${a.local}=${a.value}`)
    .sort();
  return JSON.stringify([ownText(el), attrs]);
}
