import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { findTool } from '../../workflows/dev/tools.js';
import { serverLogDir } from '../../workflows/dev/logs.js';

// Keep test output readable: the SDK (and its workflow bundler) log at WARN and above only.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by another helper in this process.
}

/**
 * Starts a real, ephemeral Temporal dev server (the binary from `scripts/setup`) on loopback.
 * Share one per test file (`before`/`after`) and always `await env.teardown()`.
 */
export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  const logDir = serverLogDir('temporal');
  return await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: findTool('temporal') },
      ip: '127.0.0.1',
      ui: false,
      extraArgs: ['--log-level', 'warn', '--log-format', 'json'],
      dbFilename: path.join(logDir, 'temporal.db'),
    },
  });
}
