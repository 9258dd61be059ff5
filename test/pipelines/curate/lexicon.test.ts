import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeTagger, lexiconByLanguage, lexiconLanguages } from '../../../pipelines/curate/lexicon.js';

describe('multilingual lexicons', () => {
  it('cover gender terms and occupations in at least 10 languages', () => {
    const langs = lexiconLanguages();
    assert.ok(langs.length >= 10, langs.join(','));
    const lex = lexiconByLanguage();
    for (const lang of langs) {
      const attrs = Object.keys(lex[lang]!);
      assert.ok(attrs.includes('gender:man') && attrs.includes('gender:woman'), `${lang} gender`);
      assert.ok(attrs.filter((a) => a.startsWith('occupation:')).length >= 10, `${lang} occupations`);
    }
  });

  it('tags captions in many languages and scripts', () => {
    const t = new AttributeTagger(lexiconByLanguage());
    const cases: [string, string, string[]][] = [
      ['A woman doctor in a hospital', 'en', ['gender:woman', 'occupation:doctor']],
      ['Un hombre enfermero con un paciente', 'es', ['gender:man', 'occupation:nurse']],
      ['Une femme ingénieure sur un chantier', 'fr', ['gender:woman', 'occupation:engineer']],
      ['Eine Ärztin und ein Mann', 'de', ['gender:man', 'gender:woman', 'occupation:doctor']],
      ['Un uomo cuoco in cucina', 'it', ['gender:man', 'occupation:chef']],
      ['Uma mulher piloto', 'pt', ['gender:woman', 'occupation:pilot']],
      ['Een vrouw als leraar', 'nl', ['gender:woman', 'occupation:teacher']],
      ['Женщина врач в больнице', 'ru', ['gender:woman', 'occupation:doctor']],
      ['Kobieta pielęgniarka', 'pl', ['gender:woman', 'occupation:nurse']],
      ['Bir kadın mühendis', 'tr', ['gender:woman', 'occupation:engineer']],
      ['رجل طبيب في المستشفى', 'ar', ['gender:man', 'occupation:doctor']],
      ['एक महिला शिक्षक कक्षा में', 'hi', ['gender:woman', 'occupation:teacher']],
      ['一个女人是医生', 'zh', ['gender:woman', 'occupation:doctor']],
      ['男性の看護師', 'ja', ['gender:man', 'occupation:nurse']],
    ];
    for (const [caption, lang, want] of cases) assert.deepEqual(t.tag(caption, lang), want, `${lang}: ${caption}`);
    assert.equal(t.tag('a mountain lake at dawn', 'en'), null);
  });

  it("matches only the caption's language when known (Dutch 'arts' is not English 'arts')", () => {
    const t = new AttributeTagger(lexiconByLanguage());
    assert.equal(t.tag('arts and crafts fair', 'en'), null);
    assert.deepEqual(t.tag('de arts in het ziekenhuis', 'nl'), ['occupation:doctor']);
    assert.deepEqual(t.tag('de arts in het ziekenhuis', ''), ['occupation:doctor']);
  });

  it('is user-extendable', () => {
    const t = new AttributeTagger(
      lexiconByLanguage({ 'occupation:astronaut': ['astronaut', 'astronauta'], 'age:child': ['kid'] }),
    );
    assert.deepEqual(t.tag('a kid dreams of being an astronaut', 'en'), ['age:child', 'occupation:astronaut']);
    assert.deepEqual(t.tag('una astronauta', 'es'), ['occupation:astronaut']);
  });
});
