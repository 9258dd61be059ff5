// Codemod: sibling error classes take (message, subject, options), as Error, StorageError, IngestInputError and the
// model and eval errors do. Swaps the first two arguments of `new X(a, b, …)` for the classes that took
// (subject, message). Idempotent only together with the constructor change: run it once per merged branch.
// Usage: node --import tsx scripts/codemods/error-args-message-first.ts [files…]   (default: every tracked .ts file)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

const CLASSES = new Set([
  'CurateConfigError',
  'CurateInputError',
  'TrainConfigError',
  'TrainCheckpointError',
  'LoaderConfigError',
  'LoaderInputError',
]);

/** Returns `text` with the first two arguments of every `new <CLASS>(…)` swapped, and how many it swapped. */
function swapArgs(file: string, text: string): { text: string; count: number } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; replacement: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && CLASSES.has(node.expression.text)) {
      const args = node.arguments;
      if (args && args.length >= 2) {
        const [a, b] = [args[0]!, args[1]!];
        const between = text.slice(a.getEnd(), b.getStart(source));
        edits.push({
          start: a.getStart(source),
          end: b.getEnd(),
          replacement: b.getText(source) + between + a.getText(source),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // Nested `new X(new Y(…))` edits overlap: apply the innermost first by working from the end, skipping overlaps.
  edits.sort((x, y) => y.start - x.start);
  let out = text;
  let floor = Infinity;
  let count = 0;
  for (const e of edits) {
    if (e.end > floor) throw new Error(`${file}: nested error constructors at ${e.start}; swap by hand`);
    out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
    floor = e.start;
    count++;
  }
  return { text: out, count };
}

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' }).split('\n').filter(Boolean);
let total = 0;
for (const file of files) {
  const before = readFileSync(file, 'utf8');
  const { text, count } = swapArgs(file, before);
  if (count > 0) {
    writeFileSync(file, text);
    console.log(`${file}: ${count}`);
    total += count;
  }
}
console.log(`swapped ${total} constructor calls`);
