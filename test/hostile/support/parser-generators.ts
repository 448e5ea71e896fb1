/**
 * Generators of hostile XML for the parser tests (test/hostile/parser.test.ts) and the parser
 * benchmark (bench/_parser-section.ts): each returns the document as a string, built in code.
 */

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

/** A record whose root holds `depth` nested `<a>` elements (all on one line). */
export function deepRecord(depth: number): string {
  return `<rdf:RDF xmlns:rdf="${RDF}">${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</rdf:RDF>`;
}

/** A record whose root element declares `count` namespace prefixes. */
export function manyNamespacesRecord(count: number): string {
  let decls = '';
  for (let i = 0; i < count; i++) decls += ` xmlns:p${i}="http://example.org/ns/${i}"`;
  return `<rdf:RDF xmlns:rdf="${RDF}"${decls}><p0:a/></rdf:RDF>`;
}

/** A record whose root element has `count` distinct attributes (no namespace prefix). */
export function manyAttributesRecord(count: number): string {
  let attrs = '';
  for (let i = 0; i < count; i++) attrs += ` a${i}="v${i}"`;
  return `<rdf:RDF xmlns:rdf="${RDF}"${attrs}/>`;
}

/** A record whose root element has `count` distinct attributes in one namespace (`rdf:a0` …). */
export function manyNamespacedAttributesRecord(count: number): string {
  let attrs = '';
  for (let i = 0; i < count; i++) attrs += ` rdf:a${i}="v${i}"`;
  return `<rdf:RDF xmlns:rdf="${RDF}"${attrs}/>`;
}

/** A record whose root has `count` empty sibling children, all on one line. */
export function manySiblingsRecord(count: number): string {
  return `<rdf:RDF xmlns:rdf="${RDF}">${'<rdf:Description/>'.repeat(count)}</rdf:RDF>`;
}

/** A record of ordinary shape with `count` described resources (grows the size, not depth or width). */
export function sizedRecord(count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++)
    parts.push(
      `  <rdf:Description rdf:about="http://example.org/item/${i}">\n` +
        `    <dc:title xml:lang="en">Title number ${i} &amp; more</dc:title>\n` +
        `    <dc:subject rdf:resource="http://example.org/subject/${i % 97}"/>\n` +
        `  </rdf:Description>\n`,
    );
  return `<rdf:RDF xmlns:rdf="${RDF}" xmlns:dc="http://purl.org/dc/elements/1.1/">\n${parts.join('')}</rdf:RDF>\n`;
}

/** An OAI-PMH GetRecord response whose metadata is `metadata` (a standalone XML element). */
export function getRecordResponse(metadata: string, identifier = 'oai:example.org:1'): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">` +
    `<responseDate>2026-01-01T00:00:00Z</responseDate>` +
    `<request verb="GetRecord">http://example.org/oai</request>` +
    `<GetRecord><record><header><identifier>${identifier}</identifier>` +
    `<datestamp>2026-01-01</datestamp></header>` +
    `<metadata>${metadata}</metadata></record></GetRecord></OAI-PMH>`
  );
}

/** Deep nesting of `depth` levels directly inside the metadata element (no namespace declared there). */
export function deepMetadata(depth: number): string {
  return `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`;
}
