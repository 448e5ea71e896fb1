/**
 * A generated ~90 KB EDM external record for the step benchmarks: a CHO with many multilingual
 * properties, 30 web resources, 15 agents and 15 places, written slightly out of schema order so the
 * sorter has work to do. It is valid against EDM.xsd and the external Schematron.
 */
const LANGS = ['en', 'fr', 'de', 'sl', 'lt', 'el', 'ru', 'ja'];
const WORDS = [
  'manuscript', 'čas', 'Δημήτριος', 'книга', 'église', 'Straße', '版画', 'žemėlapis', 'portrait', 'liturgy',
  'parish', 'harbour', 'engraving', 'photograph', 'map', 'letter', 'songbook', 'prayer', 'ledger', 'chronicle',
];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = (seed: number, n: number) => Array.from({ length: n }, (_, i) => WORDS[(seed * 7 + i * 3) % WORDS.length]).join(' ');

/** Builds the record; `targetBytes` controls the number of CHO subjects (default ≈ 90 KB). */
export function makeLargeRecord(targetBytes = 90_000): string {
  const build = (subjects: number) => {
    const p: string[] = [];
    p.push('<?xml version="1.0" encoding="UTF-8"?>');
    p.push(
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:edm="http://www.europeana.eu/schemas/edm/" ' +
        'xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:skos="http://www.w3.org/2004/02/skos/core#" ' +
        'xmlns:rdaGr2="http://rdvocab.info/ElementsGr2/" xmlns:wgs84_pos="http://www.w3.org/2003/01/geo/wgs84_pos#">',
    );
    for (let i = 0; i < 30; i++) {
      p.push(`  <edm:WebResource rdf:about="http://example.org/media/item-4711/page-${i}.jpg">`);
      p.push(`    <edm:rights rdf:resource="http://creativecommons.org/licenses/by-sa/4.0/"/>`);
      p.push(`    <dc:description xml:lang="${LANGS[i % LANGS.length]}">${esc(text(i, 12))}</dc:description>`);
      p.push(`    <dcterms:extent>${1000 + i * 37} KB</dcterms:extent>`);
      p.push('  </edm:WebResource>');
    }
    p.push('  <edm:ProvidedCHO rdf:about="http://example.org/items/4711">');
    p.push('    <edm:type>IMAGE</edm:type>');
    for (let i = 0; i < 6; i++) p.push(`    <dc:title xml:lang="${LANGS[i]}">${esc(text(i + 100, 8))}</dc:title>`);
    for (let i = 0; i < 12; i++) p.push(`    <dc:description xml:lang="${LANGS[i % LANGS.length]}">${esc(text(i + 200, 40))}</dc:description>`);
    for (let i = 0; i < subjects; i++) p.push(`    <dc:subject xml:lang="${LANGS[i % LANGS.length]}">${esc(text(i + 300, 3))}</dc:subject>`);
    for (let i = 0; i < 15; i++) p.push(`    <dc:creator rdf:resource="http://example.org/agents/${i}"/>`);
    for (let i = 0; i < 15; i++) p.push(`    <dcterms:spatial rdf:resource="http://example.org/places/${i}"/>`);
    p.push('    <dc:date>1826</dc:date><dc:identifier>4711</dc:identifier><dc:language>sl</dc:language>');
    p.push('  </edm:ProvidedCHO>');
    for (let i = 0; i < 15; i++) {
      p.push(`  <edm:Agent rdf:about="http://example.org/agents/${i}">`);
      p.push(`    <rdaGr2:dateOfBirth>18${10 + i}</rdaGr2:dateOfBirth>`);
      for (const l of LANGS.slice(0, 3)) p.push(`    <skos:prefLabel xml:lang="${l}">${esc(text(i + 400, 2))}</skos:prefLabel>`);
      p.push('  </edm:Agent>');
    }
    for (let i = 0; i < 15; i++) {
      p.push(`  <edm:Place rdf:about="http://example.org/places/${i}">`);
      p.push(`    <skos:prefLabel xml:lang="en">${esc(text(i + 500, 2))}</skos:prefLabel>`);
      p.push(`    <wgs84_pos:lat>${(45 + i / 10).toFixed(2)}</wgs84_pos:lat><wgs84_pos:long>${(14 + i / 10).toFixed(2)}</wgs84_pos:long>`);
      p.push('  </edm:Place>');
    }
    p.push('  <ore:Aggregation rdf:about="http://example.org/aggregation/4711">');
    p.push('    <edm:rights rdf:resource="http://creativecommons.org/licenses/by-sa/4.0/"/>');
    p.push('    <edm:aggregatedCHO rdf:resource="http://example.org/items/4711"/>');
    p.push('    <edm:dataProvider>Example Library</edm:dataProvider>');
    for (let i = 1; i < 30; i++) p.push(`    <edm:hasView rdf:resource="http://example.org/media/item-4711/page-${i}.jpg"/>`);
    p.push('    <edm:isShownBy rdf:resource="http://example.org/media/item-4711/page-0.jpg"/>');
    p.push('    <edm:provider>Example Aggregator</edm:provider>');
    p.push('  </ore:Aggregation>');
    p.push('</rdf:RDF>');
    return p.join('\n');
  };
  let subjects = 100;
  let xml = build(subjects);
  while (Buffer.byteLength(xml) < targetBytes) xml = build((subjects += 20));
  return xml;
}
