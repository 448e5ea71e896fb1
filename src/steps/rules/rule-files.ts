/**
 * Metis's rules as data (issue #15): the schematron of the configured schema zip, the EDM sorter XSL
 * and the default transformation XSLT are the source of truth. The TypeScript ports (fast path) run
 * only for the rule files they were written from, recognised by the hash of a canonical form
 * (`canonical.ts`); any other version runs as XSLT on SaxonJS (compiled to SEF once, cached by
 * content hash) and every record processed that way carries an info message saying so.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { errors } from '../../errors/index.ts';
import type { StepMessage } from '../outcome.ts';
import { ruleHash } from './canonical.ts';

export type RuleKind = 'schematron-external' | 'schematron-internal' | 'sorter' | 'default-transformation';

/**
 * The rule files the TypeScript ports were written from (hash of the canonical form). The ports are
 * proven equal to these by the differential test (test/fidelity/rules-differential.test.ts).
 */
export const PORTED_RULES: Readonly<Record<RuleKind, { hash: string; source: string }>> = {
  'schematron-external': {
    hash: 'sha256:a704d1e63f89dd6f10d9f8f7927f389058854dac8ee926249373e895dfa60f49',
    source: 'europeana/metis-schema src/main/resources/schema_xsds/schematron/schematron.xsl (963b376)',
  },
  'schematron-internal': {
    hash: 'sha256:7496144701911a0a7c94fd8958b1012f17714bf506ff0758bc4dfb0f756f3b1e',
    source: 'europeana/metis-schema src/main/resources/schema_xsds/schematron/schematron-internal.xsl (c9b8868)',
  },
  sorter: {
    hash: 'sha256:faf77e6b5a11dd96539af0d076f21328e863959e528a26c147cce090adfede78',
    source: 'europeana/metis-framework metis-transformation-service/src/main/resources/edm_sorter.xsl (0648c72)',
  },
  'default-transformation': {
    hash: 'sha256:9547d5ad01a119f40dd5be5c5aeee44f383269a8daaa4de6a9c7c50d8e979620',
    source: 'europeana/metis-framework metis-transformation-service/src/main/resources/default_transformation.xslt (2242768)',
  },
};

/** What start-up found for one configured rule file. */
export interface RuleFile {
  kind: RuleKind;
  /** Where it was read. */
  path: string;
  /** The file's text (the XSLT to compile when it is not the ported version). */
  text: string;
  /** `sha256:…` of the canonical form. */
  hash: string;
  /** True when the TypeScript port implements exactly this version. */
  ported: boolean;
}

/**
 * Reads and recognises a rule file.
 * @throws Error (ENOENT, not well-formed XML) for the caller to turn into a task error
 */
export function inspectRuleFile(kind: RuleKind, path: string): RuleFile {
  const text = readFileSync(path, 'utf8');
  const hash = ruleHash(text);
  return { kind, path, text, hash, ported: hash === PORTED_RULES[kind].hash };
}

/** The report line for a rule file that runs as XSLT: `rules: schematron.xsl sha256:… not the ported version; running XSLT`. */
export function xsltRulesMessage(file: RuleFile): StepMessage {
  return {
    level: 'info',
    code: 'RULES_XSLT',
    message: `rules: ${basename(file.path)} ${file.hash} not the ported version; running XSLT`,
    detail: `${file.path} differs from the version the TypeScript port implements (${PORTED_RULES[file.kind].source})`,
  };
}

/**
 * `inspectRuleFile` with a task error for an unreadable or malformed file.
 * @throws TaskError `SCHEMA_INVALID`
 */
export function readRuleFile(kind: RuleKind, path: string): RuleFile {
  try {
    return inspectRuleFile(kind, path);
  } catch (err) {
    throw errors.SCHEMA_INVALID({ path, detail: (err as Error).message }, { cause: err });
  }
}
