/**
 * Tiers of the fixture records with tier annotations / technical metadata. The expected values
 * were derived by hand from the rules in metis-steps.md §14 (derivation in the comments), and
 * where the fixture carries Metis's own annotations they agree with them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseXml, serializeXml } from '../../src/edm/xml.ts';
import { computeTiers, createEdmView, readTierAnnotations, toRecordTierCalculationView, toSandboxTierRow, writeTierAnnotations } from '../../src/steps/tiers/index.ts';

const dir = new URL('../../../shared/fixtures/metis/metis-framework/metis-indexing/src/test/resources/', import.meta.url);
const load = (name: string) => readFileSync(new URL(name, dir), 'utf8');

test('TEXT record with only object + landing page: content tier 1, metadata A (provider) and B (all proxies), as Metis annotated it', () => {
  // edm:type TEXT; no hasView/isShownBy web resource; isShownAt web resource has text/html → landing page → 1.
  // Language: description, format, rights, subject, title, type qualify; all but dc:format have xml:lang → 5/6 → C.
  // Enabling: dc:format, dc:type (CONCEPTUAL) + dc:contributor, dc:publisher (PERSONAL) → 4 elements, 2 groups → C.
  // Contextual: the provider proxy links no entity → A. Europeana proxy's dc:date → #1923 (begin+end) → B.
  const t = computeTiers(load('europeana_record_rdf_with_tier_calculated.xml'));
  assert.equal(t.content.tier, 1);
  assert.equal(t.content.beforeLicenseCorrection, 1);
  assert.equal(t.content.mediaType, 'TEXT');
  assert.equal(t.content.licenseType, 'CLOSED');
  assert.deepEqual([t.content.thumbnailAvailable, t.content.landingPageAvailable, t.content.embeddableMediaAvailable], [true, true, false]);
  assert.deepEqual(t.content.resources, []);
  assert.equal(t.metadata.language.tier, 'C');
  assert.equal(t.metadata.language.qualifiedElements, 6);
  assert.equal(t.metadata.language.qualifiedElementsWithLanguage, 5);
  assert.deepEqual(t.metadata.language.qualifiedElementsWithoutLanguage, ['dc:format']);
  assert.equal(t.metadata.enablingElements.tier, 'C');
  assert.deepEqual(t.metadata.enablingElements.distinctEnablingElements.sort(), ['dc:contributor', 'dc:format', 'dc:publisher', 'dc:type']);
  assert.equal(t.metadata.contextualClasses.tier, 'A');
  assert.equal(t.metadata.tier, 'A');
  assert.equal(t.metadataAllProxies.contextualClasses.tier, 'B');
  assert.deepEqual(t.metadataAllProxies.contextualClasses.distinctClassesOfCompleteContextualResources, ['edm:TimeSpan']);
  assert.equal(t.metadataAllProxies.tier, 'B');
});

test('IMAGE record whose web resource has its own closed rights: tier 2, 4 before licence correction', () => {
  // 2598 × 1921 = 4,990,758 px ≥ 950,000 → 4; the web resource's own edm:rights (InC) → CLOSED caps at 2,
  // although the record licence (by-nc) is RESTRICTED.
  const t = computeTiers(load('europeana_record_rdf_tier_for_overwrite.xml'));
  assert.equal(t.content.tier, 2);
  assert.equal(t.content.beforeLicenseCorrection, 4);
  assert.equal(t.license, 'RESTRICTED');
  assert.equal(t.content.resources.length, 1);
  const r = t.content.resources[0];
  assert.equal(r.imageResolution, 4_990_758);
  assert.equal(r.imageResolutionTier, 4);
  assert.equal(r.licenseType, 'CLOSED');
  assert.deepEqual(r.elementLinkTypes, ['IS_SHOWN_BY']);
  // Language 5/5 → C; enabling only dc:type (1 element, 1 group) → A; contextual → A.
  assert.deepEqual([t.metadata.language.tier, t.metadata.enablingElements.tier, t.metadata.contextualClasses.tier], ['C', 'A', 'A']);
  assert.equal(t.metadata.tier, 'A');
  assert.equal(t.metadataAllProxies.tier, 'A');
});

test('VIDEO record with technical metadata: embeddable vimeo isShownBy → 4, capped to 2 by InC; metadata B / C', () => {
  const t = computeTiers(load('europeana_record_with_technical_metadata.xml'));
  assert.equal(t.content.mediaType, 'VIDEO');
  assert.equal(t.content.embeddableMediaAvailable, true);
  assert.equal(t.content.landingPageAvailable, false); // no isShownAt
  assert.equal(t.content.thumbnailAvailable, true); // preview jpg has a MIME type
  assert.equal(t.content.tier, 2);
  assert.equal(t.content.beforeLicenseCorrection, 4);
  assert.deepEqual(toSandboxTierRow('/1/12944', t), {
    'record-id': '/1/12944',
    'content-tier': '2',
    'content-tier-before-license-correction': '4',
    license: 'CLOSED',
    // Language: description, subject, title, type, spatial all have languages → C.
    // Enabling: created (TEMPORAL), type (CONCEPTUAL), creator (PERSONAL), spatial (GEOGRAPHICAL), subject→Concept → C.
    // Contextual: provider proxy links complete Concepts only (prefLabel + note/exactMatch/…) → 1 class → B.
    'metadata-tier': 'B',
    'metadata-tier-language': 'C',
    'metadata-tier-enabling-elements': 'C',
    'metadata-tier-contextual-classes': 'B',
  });
  // The Europeana proxy adds a link to place/base/75 (prefLabel + lat + long): Concept + Place → C.
  assert.equal(t.metadataAllProxies.contextualClasses.tier, 'C');
  assert.equal(t.metadataAllProxies.tier, 'C');
});

test('TEXT record with a PDF isShownBy under the Public Domain Mark: tier 4', () => {
  const t = computeTiers(load('europeana_record_to_sample_index_rdf.xml'));
  assert.equal(t.license, 'OPEN');
  assert.equal(t.content.tier, 4);
  assert.equal(t.content.resources[0].mimeType, 'application/pdf');
  assert.deepEqual(t.content.resources[0].elementLinkTypes.sort(), ['IS_SHOWN_BY', 'OBJECT']);
});

test('computed tiers equal the annotations Metis wrote into europeana_record_rdf_with_tier_calculated.xml', () => {
  const xml = load('europeana_record_rdf_with_tier_calculated.xml');
  const t = computeTiers(xml);
  const written = readTierAnnotations(parseXml(xml));
  assert.deepEqual(written.get('/aggregation/provider/305/_nnhSX08'), { content: String(t.content.tier), metadata: t.metadata.tier });
  assert.deepEqual(written.get('/aggregation/europeana/305/_nnhSX08'), { content: String(t.content.tier), metadata: t.metadataAllProxies.tier });
});

test('OVERWRITE on the overwrite fixture: aggregator and Europeana annotations replaced, provider ones untouched', () => {
  // The record has an aggregator aggregation, so provider-data tiers target it, not the provider aggregation.
  const doc = parseXml(load('europeana_record_rdf_tier_for_overwrite.xml'));
  const view = createEdmView(doc);
  const t = computeTiers(view);
  writeTierAnnotations(view, { providerContent: t.content.tier, providerMetadata: t.metadata.tier, europeanaContent: t.content.tier, europeanaMetadata: t.metadataAllProxies.tier });
  const after = readTierAnnotations(doc);
  assert.deepEqual(after.get('/aggregation/aggregator/2022502/_KAMRA_356338'), { content: '2', metadata: 'A' }); // was 2 / B
  assert.deepEqual(after.get('/aggregation/provider/2022502/_KAMRA_356338'), { content: '3', metadata: 'A' }); // stale, untouched
  assert.deepEqual(after.get('/aggregation/europeana/2022502/_KAMRA_356338'), { content: '2', metadata: 'A' }); // was 3 / A
  assert.equal((serializeXml(doc).match(/<dqv:QualityAnnotation>/g) ?? []).length, 6); // replaced in place, none added
});

test('the Sandbox record report (RecordTierCalculationView) of the tier-calculated TEXT record', () => {
  const view = toRecordTierCalculationView(computeTiers(load('europeana_record_rdf_with_tier_calculated.xml')), {
    europeanaRecordId: '/305/_nnhSX08',
    providerRecordId: 'oai:mbc:48386',
  });
  assert.deepEqual(view.recordTierCalculationSummary, {
    europeanaRecordId: '/305/_nnhSX08', providerRecordId: 'oai:mbc:48386', contentTier: '1', metadataTier: 'A', portalRecordLink: null,
  });
  assert.equal(view.contentTierBreakdown.recordType, 'TEXT');
  assert.deepEqual(view.contentTierBreakdown.mediaResourceTechnicalMetadataList, []);
  const lang = view.metadataTierBreakdown.languageBreakdown;
  assert.deepEqual([lang.qualifiedElements, lang.qualifiedElementsWithLanguage, lang.qualifiedElementsWithoutLanguage], [6, 5, 1]);
  assert.ok(Math.abs(lang.qualifiedElementsWithLanguagePercentage - 83.3333) < 0.001);
  assert.equal(view.metadataTierBreakdown.contextualClasses.metadataTier, 'A');
});

test('INITIALISE keeps existing annotations and only adds missing ones', () => {
  const doc = parseXml(load('europeana_record_rdf_tier_for_overwrite.xml'));
  const view = createEdmView(doc);
  writeTierAnnotations(view, { providerContent: 4, providerMetadata: 'C', europeanaContent: 4, europeanaMetadata: 'C' }, new Date(), 'INITIALISE');
  assert.deepEqual(readTierAnnotations(doc).get('/aggregation/aggregator/2022502/_KAMRA_356338'), { content: '2', metadata: 'B' });
  const bare = parseXml(load('europeana_record_with_technical_metadata.xml'));
  writeTierAnnotations(createEdmView(bare), { providerContent: 2, providerMetadata: 'B', europeanaContent: 2, europeanaMetadata: 'C' }, new Date(), 'INITIALISE');
  assert.deepEqual(readTierAnnotations(bare).get('/aggregation/provider/1/12944'), { content: '2', metadata: 'B' });
});
