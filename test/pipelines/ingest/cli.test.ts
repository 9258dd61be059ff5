import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { ingestInputFromFlags, progressLine, register } from '../../../workflows/cli/commands/ingest.js';

describe('sigforge ingest (flags → workflow input)', () => {
  it('makes local sources absolute file:// URIs and passes only given settings', () => {
    const input = ingestInputFromFlags(
      { source: 'data/list.csv', name: 'web', captionCols: 'caption, caption_de', imageSize: '256', resizeMode: 'keep-aspect', concurrency: '32' },
      'file:///srv/root',
    );
    assert.equal(input.source, `file://${path.resolve('data/list.csv')}`);
    assert.deepEqual(input.sourceOptions, { captionColumns: ['caption', 'caption_de'] });
    assert.deepEqual(input.image, { resizeMode: 'keep-aspect', size: 256 });
    assert.deepEqual(input.fetch, { concurrency: 32 });
    assert.equal(input.root, 'file:///srv/root');
    assert.equal(input.retryFailed, undefined);
  });
  it('needs a source or --retry-failed and rejects bad numbers, naming the flag', () => {
    assert.throws(() => ingestInputFromFlags({ name: 'x' }, 'file:///r'), /--source <uri> or --retry-failed/);
    assert.throws(() => ingestInputFromFlags({ name: 'x', source: 's.csv', imageSize: 'big' }, 'file:///r'), /--image-size/);
    assert.equal(ingestInputFromFlags({ name: 'x', retryFailed: 'web@v1' }, 'file:///r').retryFailed, 'web@v1');
  });
  it('passes --extra-columns as a list and s3:// sources unchanged', () => {
    const input = ingestInputFromFlags(
      { source: 's3://bucket/lists/urls.parquet', name: 'web', extraColumns: 'license, id' },
      'file:///srv/root',
    );
    assert.equal(input.source, 's3://bucket/lists/urls.parquet');
    assert.deepEqual(input.sourceOptions, { extraColumns: ['license', 'id'] });
    assert.throws(
      () => ingestInputFromFlags({ source: 'a.csv', name: 'web', extraColumns: 'license,,id' }, 'file:///r'),
      /--extra-columns.*comma-separated column names/,
    );
  });
  it('registers the ingest verb with its options', () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'ingest');
    assert.ok(cmd);
    for (const flag of ['--source', '--format', '--name', '--retry-failed', '--extra-columns', '--wait']) {
      assert.ok(cmd.options.some((o) => o.long === flag), flag);
    }
  });
  it('shows rows/s, success rate and ETA', () => {
    const line = progressLine(
      { name: 'web', version: 'v1', partitionsDone: 1, partitionsTotal: 4, rowsDone: 500, rowsTotal: 2000, ok: 450, phase: 'fetching' },
      10,
    );
    assert.match(line, /500\/2000 rows \(25%\) 50\.0 rows\/s, 90\.0% ok, ETA 30s/);
  });
});
