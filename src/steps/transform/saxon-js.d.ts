/** Minimal typing of the parts of SaxonJS 2.7 (no bundled types) that the transform and rules code use. */
declare module 'saxon-js' {
  /** A node of SaxonJS's own DOM (documents, fragments, elements): the DOM Level 2 subset we read. */
  export interface SaxonNode {
    nodeType: number;
    localName: string | null;
    namespaceURI: string | null;
    firstChild: SaxonNode | null;
    nextSibling: SaxonNode | null;
    textContent: string | null;
    /** Note: `getAttribute` returns '' (not null) for a missing attribute; read `attributes` to tell. */
    attributes: ArrayLike<{ localName: string; namespaceURI: string | null; value: string }> | null;
  }
  interface TransformOptions {
    stylesheetInternal: unknown;
    sourceText?: string;
    sourceNode?: SaxonNode;
    destination: 'serialized' | 'document';
    stylesheetParams?: Record<string, unknown>;
  }
  interface TransformResult {
    principalResult: unknown;
  }
  const SaxonJS: {
    transform(options: TransformOptions, mode: 'sync'): TransformResult;
    getProcessorInfo(): { productVersion: string };
  };
  export default SaxonJS;
}
