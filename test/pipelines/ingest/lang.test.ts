import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createLanguageIdentifier, type LanguageIdentifier } from '../../../pipelines/ingest/lang.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/ingest/captions.json', import.meta.url), 'utf8'),
) as { captions: [string, string][]; short: [string, string][] };

describe('language ID (fastText lid.176, script first) on short multilingual captions', () => {
  let lid: LanguageIdentifier;
  before(async () => {
    lid = await createLanguageIdentifier();
  });
  after(() => lid.dispose());

  const score = (rows: [string, string][]): { right: number; wrong: string[] } => {
    const wrong: string[] = [];
    for (const [want, text] of rows) {
      const got = lid.identify(text)?.lang ?? 'none';
      if (got !== want) wrong.push(`${text} → ${got} (want ${want})`);
    }
    return { right: rows.length - wrong.length, wrong };
  };

  it('gets at least 38 of 40 captions in 10 languages right', () => {
    const { right, wrong } = score(fixture.captions);
    assert.equal(fixture.captions.length, 40);
    assert.ok(right >= 38, `${right}/40; wrong: ${wrong.join('; ')}`);
  });
  it('gets at least 5 of 10 very short captions right', () => {
    const { right, wrong } = score(fixture.short);
    assert.ok(right >= 5, `${right}/10; wrong: ${wrong.join('; ')}`);
  });
  it('returns null for text without letters and a probability in [0, 1] otherwise', () => {
    assert.equal(lid.identify('12345 !!! https://example.com/x.jpg'), null);
    assert.equal(lid.identify(''), null);
    const g = lid.identify('Ein Hund im Park');
    assert.ok(g && g.score >= 0 && g.score <= 1);
  });
});
