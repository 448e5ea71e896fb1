/** Minimal typing of the parts of SaxonJS 2.7 (no bundled types) that the transform step uses. */
declare module 'saxon-js' {
  interface TransformOptions {
    stylesheetInternal: unknown;
    sourceText: string;
    destination: 'serialized';
    stylesheetParams?: Record<string, unknown>;
  }
  interface TransformResult {
    principalResult: string;
  }
  const SaxonJS: {
    transform(options: TransformOptions, mode: 'sync'): TransformResult;
    getProcessorInfo(): { productVersion: string };
  };
  export default SaxonJS;
}
