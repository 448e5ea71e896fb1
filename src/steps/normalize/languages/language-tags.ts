/**
 * Splitting and normalizing language values (Metis `util/LanguageTagValueNormalizer`): punctuation
 * (except `-`) becomes space, the value is split into words, and each word is transliterated to Latin
 * (Greek per UNGEGN, Cyrillic per ISO 9, as ICU's `Greek-Latin/UNGEGN; Cyrillic-Latin` does), stripped
 * of accents and lower-cased. A word splits into a code and an optional `-subtag`, which is kept as is.
 */

export interface LanguageTag {
  /** The whole word, normalized (`en-gb`, `anglika`). */
  normalizedInput: string;
  /** The part before the first `-`, normalized (`en`). */
  code: string;
  /** `-GB` as written, or undefined. */
  subtag?: string;
}

// Java's \p{Punct} is ASCII punctuation only; U+2013 is added because subject headings use it.
const PUNCTUATION = /[!"#$%&'()*+,./:;<=>?@[\\\]^_`{|}~\u2013]+/g;
const WHITESPACE = /[ \t\n\x0B\f\r]+/g;

/** Splits a value into normalized words; empty or punctuation-only input gives []. */
export function normalizeLanguageValue(input: string): LanguageTag[] {
  const cleaned = input.replace(PUNCTUATION, ' ').replace(WHITESPACE, ' ').trim();
  const tags: LanguageTag[] = [];
  for (const word of cleaned.split(' ')) {
    const trimmed = word.replace(/^-+/, '').replace(/-+$/, '');
    if (trimmed === '') continue;
    const dash = trimmed.indexOf('-');
    const code = dash < 0 ? trimmed : trimmed.slice(0, dash);
    const subtag = dash < 0 ? '' : trimmed.slice(dash + 1);
    tags.push({
      normalizedInput: transliterate(word),
      code: transliterate(code),
      subtag: subtag === '' ? undefined : '-' + subtag,
    });
  }
  return tags;
}

const GREEK: Record<string, string> = {
  α: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'i',
  θ: 'th',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
};
const GREEK_DIGRAPHS: Array<[RegExp, string]> = [
  [/ου/g, 'ou'],
  [/γγ/g, 'ng'],
  [/γκ/g, 'gk'],
  [/γξ/g, 'nx'],
  [/γχ/g, 'nch'],
  // αυ, ευ, ηυ: f before a voiceless consonant, v otherwise.
  [/([αεη])υ(?=[θκξπστφχψ])/g, '$1φ'],
  [/([αεη])υ/g, '$1β'],
];

const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ґ: 'g',
  д: 'd',
  ђ: 'đ',
  ѓ: 'g',
  е: 'e',
  ё: 'e',
  є: 'e',
  ж: 'z',
  з: 'z',
  ѕ: 'z',
  и: 'i',
  і: 'i',
  ї: 'i',
  й: 'j',
  ј: 'j',
  к: 'k',
  ќ: 'k',
  л: 'l',
  љ: 'l',
  м: 'm',
  н: 'n',
  њ: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  ћ: 'c',
  у: 'u',
  ў: 'u',
  ф: 'f',
  х: 'h',
  ц: 'c',
  ч: 'c',
  џ: 'd',
  ш: 's',
  щ: 's',
  ъ: 'ʺ',
  ы: 'y',
  ь: 'ʹ',
  э: 'e',
  ю: 'u',
  я: 'a',
};

/** Lower-cased, Latin, accent-free form of a word (`Αγγλικά` → `anglika`, `Английский` → `anglijskij`). */
export function transliterate(word: string): string {
  let s = word.toLowerCase();
  // Cyrillic letter by letter before decomposing (й is j, not и + breve).
  if (/[\u0400-\u04ff]/.test(s)) s = s.replace(/[\u0400-\u04ff]/g, (c) => CYRILLIC[c] ?? c);
  if (/[\u0370-\u03ff\u1f00-\u1fff]/.test(s)) {
    // Accents off first so that accented Greek vowels take part in the digraph rules.
    s = s.normalize('NFD').replace(/\p{Mn}/gu, '');
    for (const [pattern, replacement] of GREEK_DIGRAPHS) s = s.replace(pattern, replacement);
    s = s.replace(/[\u0370-\u03ff]/g, (c) => GREEK[c] ?? c);
  }
  return s
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .normalize('NFC')
    .toLowerCase();
}
