import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findTool, ToolNotFoundError } from '../../workflows/dev/tools.js';

describe('findTool', () => {
  it('names the tool, where it looked and how to get it when nothing is found', () => {
    assert.throws(
      () => findTool('minio', { PATH: '/nonexistent-dir' }, mkdtempSync(path.join(os.tmpdir(), 'sigforge-empty-'))),
      (err: unknown) =>
        err instanceof ToolNotFoundError &&
        err.tool === 'minio' &&
        /MINIO_BIN/.test(err.message) &&
        /npm run setup/.test(err.message),
    );
  });

  it('rejects an env override that is not executable', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sigforge-tools-')), 'temporal');
    writeFileSync(file, 'not a program', { mode: 0o644 });
    assert.throws(() => findTool('temporal', { TEMPORAL_CLI: file }), /not an executable file/);
  });

  it('accepts an executable env override as is', () => {
    assert.equal(findTool('temporal', { TEMPORAL_CLI: process.execPath }), process.execPath);
  });
});
