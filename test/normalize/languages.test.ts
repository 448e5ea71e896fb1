import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchConfidence, matchLanguages, normalizeLanguage } from '../../src/steps/normalize/index.ts';
import { normalizeLanguageValue, transliterate } from '../../src/steps/normalize/languages/language-tags.ts';
import { languageVocabulary } from '../../src/steps/normalize/languages/vocabulary.ts';

test('transliterates Greek (UNGEGN) and Cyrillic to accent-free lower-case Latin', () => {
  assert.equal(transliterate('Αγγλικά'), 'anglika');
  assert.equal(transliterate('ΕΛΛΗΝΙΚΆ'), 'ellinika');
  assert.equal(transliterate('Ευρώπη'), 'evropi');
  assert.equal(transliterate('Αυτός'), 'aftos');
  assert.equal(transliterate('Английский'), 'anglijskij');
  assert.equal(transliterate('Français'), 'francais');
  assert.equal(transliterate('Čeština'), 'cestina');
});

test('splits values on punctuation but keeps the subtag separator and the subtag as written', () => {
  assert.deepEqual(
    normalizeLanguageValue('English; French (fr-BE)').map((t) => [t.normalizedInput, t.code, t.subtag]),
    [
      ['english', 'english', undefined],
      ['french', 'french', undefined],
      ['fr-be', 'fr', '-BE'],
    ],
  );
  assert.deepEqual(normalizeLanguageValue(' ;; '), []);
});

const LABELS: Array<[string, string]> = [
  ['English', 'en'],
  ['anglais', 'en'],
  ['Englisch', 'en'],
  ['inglés', 'en'],
  ['angielski', 'en'],
  ['Αγγλικά', 'en'],
  ['английски', 'en'],
  ['Deutsch', 'de'],
  ['allemand', 'de'],
  ['Γερμανικά', 'de'],
  ['немски', 'de'],
  ['Ελληνικά', 'el'],
  ['Greek', 'el'],
  ['гръцки', 'el'],
  ['Български', 'bg'],
  ['Bulgarian', 'bg'],
  ['français', 'fr'],
  ['Nederlands', 'nl'],
  ['polski', 'pl'],
  ['Gaeilge', 'ga'],
  ['Latin', 'la'],
  ['Português', 'pt'],
  ['suomi', 'fi'],
  ['Malti', 'mt'],
];

test('language names in the 24 EU languages and in Greek and Cyrillic script match their code', () => {
  const wrong = LABELS.filter(([label, code]) => normalizeLanguage(label)?.codes.join() !== code).map(([l]) => l);
  assert.deepEqual(wrong, []);
});

test('codes: ISO 639-1, 639-2/B, 639-2/T and 639-3 map to the 2-letter code, else the 3-letter one', () => {
  assert.deepEqual(normalizeLanguage('en'), { codes: ['en'], confidence: 1.0 });
  assert.deepEqual(normalizeLanguage('EN'), { codes: ['en'], confidence: 1.0 });
  assert.deepEqual(normalizeLanguage('eng'), { codes: ['en'], confidence: 0.98 });
  assert.deepEqual(normalizeLanguage('fre'), { codes: ['fr'], confidence: 0.98 });
  assert.deepEqual(normalizeLanguage('fra'), { codes: ['fr'], confidence: 0.98 });
  assert.deepEqual(normalizeLanguage('ger'), { codes: ['de'], confidence: 0.98 });
  assert.deepEqual(normalizeLanguage('grc'), { codes: ['grc'], confidence: 1.0 });
  assert.deepEqual(normalizeLanguage('zxx'), { codes: ['zxx'], confidence: 1.0 });
});

test('a code keeps its subtag: eng-GB → en-GB', () => {
  assert.deepEqual(normalizeLanguage('eng-GB'), { codes: ['en-GB'], confidence: 0.98 });
  assert.deepEqual(normalizeLanguage('en-GB'), { codes: ['en-GB'], confidence: 0.98 });
});

test('confidence: only codes or only labels 0.95, a mix 0.85 (rejected), any miss rejects', () => {
  assert.deepEqual(normalizeLanguage('English; French'), { codes: ['en', 'fr'], confidence: 0.95 });
  assert.deepEqual(normalizeLanguage('en, fr'), { codes: ['en', 'fr'], confidence: 0.95 });
  assert.deepEqual(normalizeLanguage('English English'), { codes: ['en'], confidence: 0.95 });
  assert.equal(matchConfidence(matchLanguages('English en')), 0.85);
  assert.equal(normalizeLanguage('English en'), undefined);
  assert.equal(normalizeLanguage('English and French'), undefined, '"and" matches nothing');
  assert.equal(normalizeLanguage('Logic'), undefined);
  assert.equal(normalizeLanguage(''), undefined);
  assert.equal(normalizeLanguage('English en', 0.8)?.confidence, 0.85, 'the minimum is configurable');
});

test('labels shorter than four characters are not indexed, and ambiguous labels do not match', () => {
  // "Nai" (ISO 639-3 bio) has a 3-letter name: the name does not match, the code does.
  assert.equal(normalizeLanguage('Nai'), undefined);
  assert.deepEqual(normalizeLanguage('bio')?.codes, ['bio']);
  // "Ido" is also its language's ISO 639-2 code, so it matches as a code.
  assert.deepEqual(normalizeLanguage('Ido'), { codes: ['io'], confidence: 0.98 });
  assert.equal(matchLanguages('Bassa')[0].type, 'NO_MATCH', 'Bassa names two languages (bas, bsq)');
});

test('the vocabulary is built once and shared', () => {
  const v = languageVocabulary();
  assert.equal(languageVocabulary(), v);
  assert.ok(v.codes.size > 7000, 'all ISO 639-3 languages');
  assert.equal(v.codes.get('fre'), 'fr');
  assert.equal(v.codes.get('fra'), 'fr');
  assert.equal(v.unambiguousLabels.get('anglika'), 'en');
});
