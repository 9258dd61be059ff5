// docs/architecture.md is a map a newcomer follows through the code: every file it cites must exist, and every step
// of "one record's path" must name a function, class or method that its file really declares.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
const repo = (p: string): URL => new URL(`../../${p}`, import.meta.url);

/** Backticked repository paths (placeholders like `<name>` and globs are not paths). */
function citedPaths(text: string): string[] {
  const ticks = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return ticks.filter((t) => /^[a-z][\w.-]*\/[\w./-]*$/.test(t) && !t.includes('*')).map((t) => t.replace(/\/$/, ''));
}

/** The rows of the record-path table: step, file, name and the rest of the row. */
function recordPathRows(): { step: string; file: string; name: string; rest: string }[] {
  const section = doc.split('## One record')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| (\d+) \| `([^`]+)` \| `([^`]+)` \| (.*)\|$/gm)].map((m) => ({
    step: m[1]!,
    file: m[2]!,
    name: m[3]!,
    rest: m[4]!,
  }));
}

function declares(source: string, name: string): boolean {
  const n = name.replace(/[$]/g, '\\$');
  return new RegExp(`(function\\*?|class|const|interface|type)\\s+${n}\\b|^\\s*(async\\s+)?${n}\\s*[(:]`, 'm').test(
    source,
  );
}

describe('docs/architecture.md', () => {
  it('every file and folder it cites exists', () => {
    const paths = citedPaths(doc);
    assert.ok(paths.length > 40, `only ${paths.length} paths found`);
    assert.deepEqual(
      paths.filter((p) => !existsSync(repo(p))),
      [],
    );
  });

  it("each step of one record's path names something its file declares", () => {
    const rows = recordPathRows();
    assert.ok(rows.length >= 20, `only ${rows.length} steps parsed`);
    assert.deepEqual(
      rows.map((r) => Number(r.step)),
      rows.map((_, i) => i + 1),
      'steps are numbered in order',
    );
    const wrong = rows
      .filter((r) => !declares(readFileSync(repo(r.file), 'utf8'), r.name))
      .map((r) => `${r.step}: ${r.file} ${r.name}`);
    assert.deepEqual(wrong, []);
  });

  it('names mentioned along the path exist in the files the path cites', () => {
    const rows = recordPathRows();
    const sources = [...new Set(rows.flatMap((r) => [r.file, ...citedPaths(r.rest)]))]
      .map((f) => readFileSync(repo(f), 'utf8'))
      .join('\n');
    const names = rows.flatMap((r) => [...r.rest.matchAll(/`([A-Za-z_]\w*)`/g)].map((m) => m[1]!));
    assert.ok(names.length > 5);
    assert.deepEqual(
      names.filter((n) => !new RegExp(`\\b${n}\\b`).test(sources)),
      [],
    );
  });
});
