/** Transformation steps (metis-steps.md §3, §5): see README.md. */
export {
  createTransformer,
  createXsltTransformer,
  type RecordTransformer,
  type TransformData,
  type TransformerOptions,
  type XsltSource,
} from './transformer.ts';
export { transformToInternal, type DefaultTransformParams } from './default-transform.ts';
export { compileXslt, type CompiledXslt, type XsltCompileOptions } from './xslt.ts';
