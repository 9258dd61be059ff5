// `sigforge pipeline --config`: the pipeline file becomes pipelineWorkflow's input, validated before anything starts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../workflows/config.js';
import { readPipelineFile } from '../../workflows/cli/commands/pipeline.js';
import { runCli } from '../helpers/cli.js';

describe('pipeline file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-pipeline-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('the shipped example parses: run config file and relative source resolved against the file', () => {
    const input = readPipelineFile(path.resolve('examples/pipeline.yaml'));
    assert.equal(input.ingest.source, pathToFileURL(path.resolve('examples/urls.parquet')).href);
    assert.equal((input.train.config as { batchSize: number }).batchSize, 16, 'train-tiny-reference.yaml was read');
    assert.equal((input.train.config as { model: string }).model, 'tiny');
    assert.equal(input.curate.name, 'web-curated');
    assert.deepEqual(input.evaluate.suites, ['emoji']);
    assert.equal(input.report?.out, 'reports/web-tiny');
  });

  it('inline configs and URIs pass through; defaults of the run config are filled in', () => {
    const file = write(
      'inline.yaml',
      [
        'ingest: { source: "s3://bucket/urls.csv", name: raw }',
        'curate: { name: cur, config: { filters: [{ name: hygiene }] } }',
        'train: { out: runs/x, config: { model: tiny, batchSize: 8, examples: 64, microBatch: 4 } }',
        'evaluate: { suites: [emoji-zeroshot] }',
      ].join('\n'),
    );
    const input = readPipelineFile(file);
    assert.equal(input.ingest.source, 's3://bucket/urls.csv');
    assert.equal((input.train.config as { microBatch: number }).microBatch, 4);
    assert.equal((input.train.config as { checkpointEvery: number }).checkpointEvery, 100);
    assert.equal(input.report, undefined);
  });

  it('a missing section or field is a ConfigError naming the file and the field', () => {
    const file = write('bad.yaml', 'ingest: { source: a.csv, name: raw }\ncurate: { name: c, config: {} }\ntrain: { config: { model: tiny, batchSize: 8, examples: 64 } }\nevaluate: { suites: [emoji] }\n');
    assert.throws(() => readPipelineFile(file), (err: unknown) => err instanceof ConfigError && err.field === 'train.out' && err.message.includes(file));
  });

  it('a bad field inside a referenced run config names that file and the field', () => {
    write('run.yaml', 'model: tiny\nbatchSize: 8\nexamples: 64\nmicroBatch: 3\n');
    const file = write('p.yaml', 'ingest: { source: a.csv, name: raw }\ncurate: { name: c, config: {} }\ntrain: { config: run.yaml, out: runs/x }\nevaluate: { suites: [emoji] }\n');
    assert.throws(
      () => readPipelineFile(file),
      (err: unknown) => err instanceof ConfigError && err.field === 'train.config.microBatch' && err.message.includes(path.join(dir, 'run.yaml')),
    );
  });

  it('the CLI exits 1 with that message before connecting to Temporal', async () => {
    const file = write('cli-bad.yaml', 'ingest: { name: raw }\ncurate: { name: c, config: {} }\ntrain: { config: {}, out: r }\nevaluate: { suites: [emoji] }\n');
    const r = await runCli(['pipeline', '--config', file, '--temporal-address', '127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.output, /ingest: give source or retryFailed/);
    assert.doesNotMatch(r.output, /cannot connect|\n\s+at /);
  });
  it('a verb\'s own --config is not taken for the settings file (sigforge train --config run.yaml)', async () => {
    const r = await runCli(['train', '--config', 'examples/train-tiny.yaml', '--data', 'x@latest', '--out', 'runs/y', '--temporal-address', '127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.output, /cannot connect to Temporal at 127\.0\.0\.1:1/, 'the run config was read and the command went on to connect');
    const s = await runCli(['ingest', '-c', path.join(dir, 'missing-settings.yaml'), '--source', 'a.csv', '--name', 'x']);
    assert.equal(s.code, 1);
    assert.match(s.output, /missing-settings\.yaml/, 'the settings file after the verb is still the settings file');
  });
});
