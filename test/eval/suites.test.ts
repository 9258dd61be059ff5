// Suites as config: validation names the field (and the valid tasks), files in JSON or YAML, built-in names.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EvalConfigError } from '../../model/eval/errors.js';
import { parseSuite, suiteHash } from '../../model/eval/suite.js';
import { resolveSuites } from '../../model/eval/suites.js';
import { tempStore } from './helpers.js';

describe('suites', () => {
  let tmp: ReturnType<typeof tempStore>;
  before(() => (tmp = tempStore()));
  after(() => tmp.cleanup());

  it('fills defaults and hashes content independently of key order', () => {
    const a = parseSuite({ name: 'z', dataset: 'd@v', task: 'zeroshot' });
    assert.deepEqual(a.task === 'zeroshot' && [a.labelAttr, a.ks, a.templates], ['label', [1, 5], { '*': ['{}'] }]);
    const b = parseSuite({ task: 'zeroshot', dataset: 'd@v', name: 'z' });
    assert.equal(suiteHash(a), suiteHash(b));
    assert.notEqual(suiteHash(a), suiteHash(parseSuite({ name: 'z', dataset: 'd@v', task: 'zeroshot', ks: [1] })));
  });

  it('errors name the field, and the valid tasks for a bad task', () => {
    assert.throws(() => parseSuite({ name: 'x', dataset: 'd', task: 'caption' }, 'my.yaml'), (e: unknown) => e instanceof EvalConfigError && e.field === 'task' && /valid tasks: zeroshot, retrieval, representation_bias, association_bias/.test(e.message));
    assert.throws(() => parseSuite({ name: 'x', dataset: 'd', task: 'zeroshot', templates: { en: ['no placeholder'] } }), /templates\.en\.0: a template must contain "\{\}"/);
    assert.throws(() => parseSuite({ name: 'x', dataset: 'd', task: 'representation_bias', labels: { en: ['man'] } }), (e: unknown) => e instanceof EvalConfigError && e.field.startsWith('labels.en'));
  });

  it('reads YAML and JSON files (one suite or a list) and rejects unknown names with the valid ones', async () => {
    const yamlFile = path.join(tmp.root, 'suite.yaml');
    writeFileSync(yamlFile, 'name: ret\ndataset: coco@v1\ntask: retrieval\nks: [1, 5]\n');
    const jsonFile = path.join(tmp.root, 'suites.json');
    writeFileSync(jsonFile, JSON.stringify([{ name: 'a', dataset: 'd@1', task: 'zeroshot' }, { name: 'b', dataset: 'd@1', task: 'retrieval' }]));
    const [y] = await resolveSuites(tmp.store, yamlFile);
    assert.deepEqual(y!.task === 'retrieval' && y!.ks, [1, 5]);
    assert.deepEqual((await resolveSuites(tmp.store, jsonFile)).map((s) => s.name), ['a', 'b']);
    await assert.rejects(resolveSuites(tmp.store, 'imagenet'), /not a built-in suite \(emoji-zeroshot, emoji-retrieval, emoji-rb, emoji-ab, emoji\)/);
    await assert.rejects(resolveSuites(tmp.store, path.join(tmp.root, 'missing.json')), /cannot be read/);
    writeFileSync(path.join(tmp.root, 'bad.json'), '{ "name": "x", "dataset": "d", "task": "zeroshot", "ks": [0] }');
    await assert.rejects(resolveSuites(tmp.store, path.join(tmp.root, 'bad.json')), /bad\.json: ks\.0/);
  });

  it('"emoji" resolves to the four built-in suites over one benchmark version', async () => {
    const suites = await resolveSuites(tmp.store, 'emoji', { languages: ['en', 'fr'], maxClasses: 4 });
    assert.deepEqual(suites.map((s) => s.task), ['zeroshot', 'retrieval', 'representation_bias', 'association_bias']);
    assert.equal(new Set(suites.map((s) => s.dataset)).size, 1);
  });
});
