// The one config-file reader: YAML, JSON for .json, and errors that say whether reading or parsing failed.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigFileError, readConfigFile } from '../../storage/config-file.js';

describe('readConfigFile', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-config-file-'));
  const file = (name: string, text: string): string => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('parses YAML, and JSON for .json files', () => {
    assert.deepEqual(readConfigFile(file('a.yaml', 'a: 1\nb: [x, y]\n')), { a: 1, b: ['x', 'y'] });
    assert.deepEqual(readConfigFile(file('a.json', '{"a": 1}')), { a: 1 });
  });

  it('says whether the file could not be read or not be parsed, naming it', () => {
    const missing = path.join(dir, 'missing.yaml');
    assert.throws(
      () => readConfigFile(missing),
      (e: unknown) => e instanceof ConfigFileError && e.stage === 'read' && e.file === missing,
    );
    const bad = file('bad.json', '{"a": 1,}');
    assert.throws(
      () => readConfigFile(bad),
      (e: unknown) => e instanceof ConfigFileError && e.stage === 'parse' && e.format === 'JSON',
    );
    assert.throws(
      () => readConfigFile(file('bad.yaml', 'a: [1\n')),
      (e: unknown) => e instanceof ConfigFileError && e.stage === 'parse' && e.format === 'YAML',
    );
  });
});
