/**
 * Month names, weekday abbreviations and era abbreviations in the 24 official EU languages, used by the
 * month-name, full-date and BC/AD extractors. Metis takes them from Java's locale data
 * (DateFormatSymbols); we take month and weekday names from CLDR through `Intl.DateTimeFormat` (full ICU
 * in Node 20) and list the era abbreviations (Java's values, which are not all in CLDR) explicitly.
 */

/** The 24 official EU languages (BCP 47). */
export const EU_LANGUAGES = [
  'bg',
  'cs',
  'da',
  'de',
  'el',
  'en',
  'es',
  'et',
  'fi',
  'fr',
  'ga',
  'hr',
  'hu',
  'it',
  'lt',
  'lv',
  'mt',
  'nl',
  'pl',
  'pt',
  'ro',
  'sk',
  'sl',
  'sv',
] as const;

/** [BC, AD] abbreviations per language, as Java's locale data writes them. */
const ERAS: Array<[string, string]> = [
  ['пр.Хр.', 'сл.Хр.'], // bg
  ['pr. Kr.', 'po. Kr.'], // hr
  ['př. n. l.', 'n. l.'], // cs
  ['f.Kr.', 'e.Kr.'], // da, sv
  ['v.Chr.', 'n.Chr.'], // nl
  ['BC', 'AD'], // en
  ['eKr', 'pKr'], // et
  ['eKr.', 'jKr.'], // fi
  ['av. J.-C.', 'ap. J.-C.'], // fr
  ['v. Chr.', 'n. Chr.'], // de
  ['π.Χ.', 'μ.Χ.'], // el
  ['i. e.', 'i. sz.'], // hu
  ['RC', 'AD'], // ga
  ['a.C.', 'd.C.'], // it, pt
  ['p.m.ē.', 'm.ē.'], // lv
  ['pr. Kr.', 'po Kr.'], // lt, sl
  ['QK', 'WK'], // mt
  ['p.n.e.', 'n.e.'], // pl
  ['î.Hr.', 'd.Hr.'], // ro
  ['pred Kr.', 'po Kr.'], // sk
  ['a. C.', 'd. C.'], // es
];

interface LocaleWords {
  /** Lower-cased month name or abbreviation → month number (the first month that has the name wins). */
  months: Map<string, number>;
  /** Lower-cased weekday abbreviation → ISO weekday (1 = Monday). */
  weekdays: Map<string, number>;
  /** Lower-cased era abbreviation → true for AD, false for BC. */
  eras: Map<string, boolean>;
}

let cached: LocaleWords | undefined;

/** The word tables, built once on first use. */
export function localeWords(): LocaleWords {
  if (cached) return cached;
  const months = new Map<string, number>();
  const weekdays = new Map<string, number>();
  for (let m = 1; m <= 12; m++) {
    for (const lang of EU_LANGUAGES) {
      for (const name of monthNames(lang, m)) {
        const key = name.toLocaleLowerCase(lang);
        if (!months.has(key)) months.set(key, m);
      }
    }
  }
  for (const lang of EU_LANGUAGES) {
    const fmt = new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' });
    for (let d = 0; d < 7; d++) {
      // 2024-01-01 was a Monday.
      const name = fmt.format(new Date(Date.UTC(2024, 0, 1 + d))).toLocaleLowerCase(lang);
      if (!weekdays.has(name)) weekdays.set(name, d + 1);
      if (!weekdays.has(name.replace(/\.$/, ''))) weekdays.set(name.replace(/\.$/, ''), d + 1);
    }
  }
  const eras = new Map<string, boolean>();
  for (const [bc, ad] of ERAS) {
    eras.set(bc.toLowerCase(), false);
    eras.set(ad.toLowerCase(), true);
  }
  cached = { months, weekdays, eras };
  return cached;
}

/** Long and short month names, in formatting and stand-alone forms. */
function monthNames(lang: string, month: number): string[] {
  const date = new Date(Date.UTC(2001, month - 1, 15));
  const out = new Set<string>();
  for (const width of ['long', 'short'] as const) {
    const standalone = new Intl.DateTimeFormat(lang, { month: width, timeZone: 'UTC' }).format(date);
    out.add(standalone);
    const parts = new Intl.DateTimeFormat(lang, { month: width, day: 'numeric', timeZone: 'UTC' }).formatToParts(date);
    const part = parts.find((p) => p.type === 'month');
    if (part) out.add(part.value);
  }
  return [...out].map((s) => s.trim()).filter((s) => s.length > 0 && !/^\d+$/.test(s));
}

/** A regex alternation of all names (longest first, so `nov.` is tried before `nov`). */
export function alternation(words: Iterable<string>): string {
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('|');
}
