/** Validation steps (metis-steps.md §4, §6): see README.md. */
export {
  createExternalValidator,
  createInternalValidator,
  MISSING_NODE_ID,
  MISSING_RECORD_ID,
  type RecordValidator,
  type ValidationData,
  type ValidatorOptions,
} from './validator.ts';
export { resolveSchemaDir, type SchemaSourceOptions } from './schema-source.ts';
