import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocColumns, type CurateColumns } from '../../../pipelines/curate/columns.js';
import { CurateConfigError } from '../../../pipelines/curate/errors.js';
import { createFilters, filterNames, getFilter } from '../../../pipelines/curate/filters/registry.js';
import { countWords } from '../../../pipelines/curate/filters/text.js';

function rows(list: { caption: string; w?: number; h?: number; langScore?: number; score?: number }[]): CurateColumns {
  const c = allocColumns(list.length);
  list.forEach((r, i) => {
    c.id[i] = `r${i}`;
    c.caption[i] = r.caption;
    c.width[i] = r.w ?? 400;
    c.height[i] = r.h ?? 300;
    c.langScore[i] = r.langScore ?? 0.99;
    c.score[i] = r.score ?? Number.NaN;
  });
  return c;
}

function reasons(specs: { name: string; params: unknown }[], c: CurateColumns, deps = {}): (string | null)[] {
  const [f] = createFilters(specs, deps);
  return Array.from({ length: c.n }, (_, i) => f!.test(c, i));
}

describe('filters', () => {
  it('counts words across scripts', () => {
    assert.equal(countWords('a red car'), 3);
    assert.equal(countWords('红色的汽车'), 5);
    assert.equal(countWords('  l’été, à Paris! '), 4);
    assert.equal(countWords('Ärztin im Krankenhaus'), 3);
  });

  it('basic drops small, elongated, short and low-confidence rows', () => {
    const c = rows([
      { caption: 'a dog on the beach' },
      { caption: 'a dog on the beach', w: 100 },
      { caption: 'a dog on the beach', w: 1300, h: 400 },
      { caption: 'dog' },
      { caption: 'doggy' },
      { caption: 'a dog on the beach', langScore: 0.3 },
    ]);
    assert.deepEqual(reasons([{ name: 'basic', params: { min_lang_score: 0.5 } }], c), [
      null,
      'basic:min_side',
      'basic:aspect',
      'basic:caption_chars',
      'basic:caption_words',
      'basic:lang_score',
    ]);
  });

  it('hygiene catches HTML, URLs, file names, boilerplate and junk but keeps ordinary captions', () => {
    const c = rows([
      { caption: 'A woman riding a bicycle in Amsterdam' },
      { caption: '<b>sale</b> today only' },
      { caption: 'see https://example.com for more' },
      { caption: 'IMG_20190412_1234.jpg' },
      { caption: 'DSC01234' },
      { caption: 'Untitled.' },
      { caption: 'wowwwwwwww amazing' },
      { caption: 'ababababababababab' },
      { caption: 'Ein Arzt untersucht ein Kind' },
    ]);
    assert.deepEqual(reasons([{ name: 'hygiene', params: {} }], c), [
      null,
      'hygiene:html',
      'hygiene:url',
      'hygiene:file_name',
      'hygiene:file_name',
      'hygiene:boilerplate',
      'hygiene:repeated_chars',
      'hygiene:low_diversity',
      null,
    ]);
  });

  it('blocklist matches whole words, case-insensitively, and substrings in CJK', () => {
    const c = rows([{ caption: 'a Badword here' }, { caption: 'badwordy is fine' }, { caption: '这是禁词的例子' }]);
    assert.deepEqual(reasons([{ name: 'blocklist', params: { terms: ['badword', '禁词'] } }], c), [
      'blocklist:term',
      null,
      'blocklist:term',
    ]);
  });

  it('image_size bounds sides, pixels and aspect', () => {
    const c = rows([
      { caption: 'x', w: 500, h: 500 },
      { caption: 'x', w: 50, h: 500 },
      { caption: 'x', w: 5000, h: 3000 },
    ]);
    assert.deepEqual(reasons([{ name: 'image_size', params: { min_side: 64, max_side: 4096 } }], c), [
      null,
      'image_size:too_small',
      'image_size:too_large',
    ]);
  });

  it('model_score plugs in an injected scorer and supports a threshold or a global top fraction', () => {
    const scorer = async (): Promise<Float32Array> => new Float32Array(0);
    const c = rows([{ caption: 'a', score: 0.9 }, { caption: 'b', score: 0.1 }, { caption: 'c' }]);
    assert.deepEqual(reasons([{ name: 'model_score', params: { threshold: 0.5 } }], c, { scorer }), [
      null,
      'model_score:low',
      'model_score:unscored',
    ]);
    const [top] = createFilters([{ name: 'model_score', params: { top_fraction: 0.5 } }], { scorer });
    assert.equal(top!.globalThreshold!(Float32Array.from([0.1, 0.9, 0.5, 0.3])), 0.5);
    assert.equal(top!.test(c, 1), 'model_score:low');
    assert.throws(() => createFilters([{ name: 'model_score', params: { threshold: 1 } }]), /needs a scorer/);
  });

  it('an unknown filter lists the valid ones; bad params name the field', () => {
    assert.throws(
      () => getFilter('nope'),
      (e: unknown) => e instanceof CurateConfigError && e.message.includes(filterNames().join(', ')),
    );
    assert.throws(
      () => createFilters([{ name: 'basic', params: { max_aspect: 0.5 } }]),
      (e: unknown) => e instanceof CurateConfigError && e.field === 'filters[0].max_aspect',
    );
  });
});
