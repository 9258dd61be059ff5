// CLI forms an operator types (issue: deploying on S3 as an operator would): unknown verbs, the settings file next to
// a curation config, reports that find nothing, the dev server's log place, the dropped-rows line.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createStores } from '../../storage/index.js';
import { curateFiles, droppedLine } from '../../workflows/cli/commands/curate.js';
import { devServerLogFile } from '../../workflows/cli/commands/dev-server.js';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigforge-forms-'));
const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('unknown verbs', () => {
  for (const args of [['frobnicate'], ['frobnicate', '--help'], ['help', 'frobnicate'], ['--root', 'file:///tmp', 'frobnicate']]) {
    it(`sigforge ${args.join(' ')} names the verb and exits 1`, async () => {
      const { code, output } = await runCli(args);
      assert.equal(code, 1);
      assert.match(output, /sigforge: unknown command "frobnicate" \(commands: demo, ingest, curate/);
    });
  }
  it('help <verb> still shows the verb', async () => {
    const { code, output } = await runCli(['help', 'curate']);
    assert.equal(code, 0);
    assert.match(output, /Usage: sigforge curate/);
  });
});

describe('curate: settings file and curation config', () => {
  const settings = file('settings.yaml', 'storage:\n  root: file:///srv/data\ntemporal:\n  address: 127.0.0.1:7233\n');
  const curation = file('curate.yaml', 'm4:\n  enabled: false\n');
  const combined = file('combined.yaml', 'storage:\n  root: file:///srv/data\ncurate:\n  m4:\n    mode: weight\n');

  it('-c is settings and --curate-config the curation config (the README form that used to mix them up)', () => {
    const r = curateFiles({ config: settings, curateConfig: curation });
    assert.deepEqual(r.curate, { m4: { enabled: false } });
    assert.deepEqual(r.runtime, { storage: { root: 'file:///srv/data' }, temporal: { address: '127.0.0.1:7233' } });
  });
  it("a settings file's curate: section is used when no --curate-config is given", () => {
    assert.deepEqual(curateFiles({ config: combined }).curate, { m4: { mode: 'weight' } });
    assert.deepEqual(curateFiles({ config: combined, curateConfig: curation }).curate, { m4: { enabled: false } });
  });
  it('a bare curation config given as -c is refused with the flag to use', () => {
    assert.throws(() => curateFiles({ config: curation }), /looks like a curation config \(keys m4\); pass it as --curate-config/);
  });
  it('prints every reason rows were dropped, with counts, and how to keep M4 drops', async () => {
    const dir = path.join(tmp, 'root', 'datasets', 'c', 'v1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ stats: { dropped: { m4: 51, 'dedup:exact': 3, hygiene: 0 } } }));
    const stores = createStores({ root: pathToFileURL(path.join(tmp, 'root')).href });
    const line = await droppedLine(stores, pathToFileURL(path.join(dir, 'manifest.json')).href);
    assert.match(line, /^rows dropped: m4 51, dedup:exact 3 \(M4 subsampling is on by default; `m4: \{ enabled: false \}`/);
  });
});

describe('report', () => {
  it('fails, naming the place, when it finds nothing there (instead of writing an empty page and exiting 0)', async () => {
    const root = path.join(tmp, 'report-root');
    mkdirSync(path.join(root, 'runs', 'typo'), { recursive: true });
    const { code, output } = await runCli(['report', '--root', pathToFileURL(root).href, 'runs/typo']);
    assert.equal(code, 1, output);
    assert.match(output, /nothing to report in file:\/\/.*\/report-root\/runs\/typo/);
  });
});

describe('dev-server', () => {
  it('logs beside its --db-file, or where --log-file says', () => {
    assert.equal(devServerLogFile({ dbFile: '/srv/temporal/state.db' }), '/srv/temporal/logs/temporal-dev-server.log');
    assert.equal(devServerLogFile({ dbFile: '/srv/temporal/state.db', logFile: '/var/log/t.log' }), '/var/log/t.log');
  });
});
