// Replay safety: every committed history of every workflow (test/fixtures/histories/<workflow>/, recorded on a real
// dev server by scripts/record-histories.ts) must replay against today's workflow code, so a change that would break
// executions already running in production fails here. CONTRIBUTING.md says how to record and when to use patched().
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { HISTORY_FOLDERS } from '../../scripts/history-folders.js';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by another test in this process.
}

const historiesDir = fileURLToPath(new URL('../fixtures/histories', import.meta.url));
const workflowsPath = fileURLToPath(new URL('../../workflows/workflows.ts', import.meta.url));

/** The workflow names the bundle entry exports (`export { a, b } from '…'` lines). */
function bundledWorkflows(): string[] {
  const text = readFileSync(workflowsPath, 'utf8');
  return [...text.matchAll(/^export \{([^}]+)\} from /gm)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()));
}

function historyFiles(folder: string): string[] {
  const dir = path.join(historiesDir, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
}

/** The workflow type a recorded history started (its first event). */
function workflowType(history: {
  events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[];
}): string {
  return history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '(no start event)';
}

describe('replay of committed workflow histories', () => {
  it('every workflow in the bundle has at least one recorded history in its folder', () => {
    const workflows = bundledWorkflows();
    assert.ok(workflows.length >= 8, `found only ${workflows.join(', ')} in ${workflowsPath}`);
    const missing = workflows.filter((w) => !HISTORY_FOLDERS[w] || historyFiles(HISTORY_FOLDERS[w]).length === 0);
    assert.deepEqual(missing, [], 'record them with `npm run record-histories` (see CONTRIBUTING.md)');
  });

  it("every recorded history replays against today's workflow code", async () => {
    const files = Object.values(HISTORY_FOLDERS).flatMap(historyFiles).sort();
    const histories = files.map((file) => {
      const history = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof workflowType>[0];
      const folder = path.basename(path.dirname(file));
      assert.equal(HISTORY_FOLDERS[workflowType(history)], folder, `${file}: a ${workflowType(history)} history`);
      // The recorded workflow id (children's ids derive from it); files are named <workflow id>@<run id>.json.
      return { workflowId: path.basename(file).split('@')[0]!, history };
    });
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'fixtures' }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}@${result.runId}: ${result.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });
});
