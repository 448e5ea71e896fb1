/**
 * Full-text search vectors of published records: each searchable text is indexed with PostgreSQL's
 * `simple` configuration (exact words) and, when its language has one on the server, with that
 * language's configuration too (stemmed words).
 */
import type { Queryable } from './db.ts';
import * as SQL from './sql/published.sql.ts';
import type { PublishedDocument } from '../model/published.ts';

/** xml:lang (ISO 639-1, some 639-3) → PostgreSQL text-search configuration. */
// prettier-ignore
const LANGUAGE_CONFIGS: Record<string, string> = {
  ar: 'arabic', hy: 'armenian', eu: 'basque', ca: 'catalan', da: 'danish', nl: 'dutch', en: 'english', et: 'estonian',
  fi: 'finnish', fr: 'french', de: 'german', el: 'greek', hi: 'hindi', hu: 'hungarian', id: 'indonesian', ga: 'irish',
  it: 'italian', lt: 'lithuanian', ne: 'nepali', no: 'norwegian', nb: 'norwegian', nn: 'norwegian', pt: 'portuguese',
  ro: 'romanian', ru: 'russian', sr: 'serbian', es: 'spanish', sv: 'swedish', ta: 'tamil', tr: 'turkish', yi: 'yiddish',
  eng: 'english', deu: 'german', ger: 'german', nld: 'dutch', dut: 'dutch', fra: 'french', fre: 'french', spa: 'spanish',
  ita: 'italian', por: 'portuguese', swe: 'swedish', fin: 'finnish', dan: 'danish', hun: 'hungarian', pol: 'simple',
};

/** Weights: titles highest, then creators/subjects, then descriptions, then the rest. */
const WEIGHTS = { titles: 'A', creators: 'B', subjects: 'B', descriptions: 'C', types: 'D', places: 'D' } as const;

/**
 * The most text, in UTF-8 bytes over all parts, that goes into one record's search vector.
 * PostgreSQL refuses a tsvector over 1 MiB (SQLSTATE 54000, "string is too long for tsvector"),
 * and a vector can take about 3.5 bytes per byte of text (a lexeme entry, its positions) for every
 * configuration that indexes it: 128 KiB of text stays below the limit whatever the words. A
 * record with more searchable text is still published; only the text past the budget is not
 * searchable (titles first, then creators and subjects, then descriptions, by weight).
 */
export const MAX_SEARCH_TEXT_BYTES = 128 * 1024;

/** One part of a record's tsvector: [configuration, weight (A–D), text]. */
export type VectorPart = [string, string, string];

/** The server's text-search configurations, asked for once. */
export class TextSearchConfigs {
  private configs: Promise<Set<string>> | undefined;

  constructor(private readonly db: Queryable) {}

  /** The text-search configuration for a language, `simple` when the server has none for it. */
  async configFor(lang: string | undefined): Promise<string> {
    if (!lang) return 'simple';
    this.configs ??= this.db
      .query<{ cfgname: string }>(SQL.selectTextSearchConfigs)
      .then((r) => new Set(r.rows.map((x) => x.cfgname)));
    const cfg = LANGUAGE_CONFIGS[lang.toLowerCase().split('-')[0]];
    return cfg && (await this.configs).has(cfg) ? cfg : 'simple';
  }

  /** The tsvector expression parts of a document: texts grouped by (configuration, weight). */
  async vectorOf(doc: PublishedDocument): Promise<VectorPart[]> {
    const groups = new Map<string, string[]>();
    let budget = MAX_SEARCH_TEXT_BYTES;
    const add = (cfg: string, weight: string, whole: string) => {
      if (budget <= 0) return;
      const bytes = Buffer.byteLength(whole);
      // Cut at a character (never inside a UTF-8 sequence): a text over the budget is cut to fit.
      const text =
        bytes <= budget
          ? whole
          : Buffer.from(whole)
              .subarray(0, budget)
              .toString('utf8')
              .replace(/\ufffd$/, '');
      budget -= Math.min(bytes, budget);
      const key = `${cfg}\u0000${weight}`;
      const list = groups.get(key);
      if (list) list.push(text);
      else groups.set(key, [text]);
    };
    for (const [field, weight] of Object.entries(WEIGHTS)) {
      for (const v of doc.fields[field as keyof typeof WEIGHTS]) {
        if (!v.text.trim()) continue;
        // Exact words always (simple), stemmed words too when the language has a configuration.
        add('simple', weight, v.text);
        const cfg = await this.configFor(v.lang);
        if (cfg !== 'simple') add(cfg, weight, v.text);
      }
    }
    const f = doc.fields;
    for (const v of [...f.dates, f.dataProvider, f.provider, f.datasetName, f.country]) {
      if (v && v.trim()) add('simple', 'D', v);
    }
    const parts: VectorPart[] = [];
    for (const [key, texts] of groups) {
      const [cfg, weight] = key.split('\u0000');
      parts.push([cfg, weight, texts.join(' \n ')]);
    }
    return parts;
  }
}
