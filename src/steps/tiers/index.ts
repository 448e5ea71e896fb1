/** Record tiers (metis-steps.md §14): public entry points. */
export { computeTiers, toSandboxTierRow, type TierResults, type SandboxTierRow } from './compute-tiers.ts';
export type { ContentTier, ContentTierResult, MediaResourceTier, RecordType } from './content-tier.ts';
export type {
  MetadataTier,
  MetadataTierResult,
  LanguageBreakdown,
  EnablingElementsBreakdown,
  ContextualClassesBreakdown,
} from './metadata-tier.ts';
export type { LicenseType } from './license.ts';
export { createEdmView, type EdmView } from './edm-view.ts';
export {
  writeTierAnnotations,
  readTierAnnotations,
  TierAnnotationError,
  type TierWriteMode,
} from './quality-annotations.ts';
export {
  toRecordTierCalculationView,
  type RecordTierCalculationView,
  type RecordTierReportOptions,
  type ProcessingError,
} from './tier-report.ts';
