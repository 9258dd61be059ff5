// Codemod: renames an exported type (or any declaration) and every reference to it across the project, as an
// editor's "rename symbol" does (TypeScript's language service over tsconfig.json), so same-named types elsewhere and
// TypeScript's own `Record<K, V>` are left alone. Comments and strings are not touched.
// Usage: node --import tsx scripts/codemods/rename-symbol.ts <file> <OldName> <NewName>
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

function languageService(): { service: ts.LanguageService; files: string[] } {
  const configPath = ts.findConfigFile(process.cwd(), ts.sys.fileExists, 'tsconfig.json');
  if (!configPath) throw new Error('no tsconfig.json here');
  const parsed = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configPath, ts.sys.readFile).config,
    ts.sys,
    path.dirname(configPath),
  );
  const files = parsed.fileNames;
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => files,
    getScriptVersion: () => '0',
    getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)!) : undefined),
    getCurrentDirectory: () => process.cwd(),
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
  };
  return { service: ts.createLanguageService(host), files };
}

/** Position of the declared name `name` at the top level of `file`. */
function declarationPosition(file: string, name: string): number {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  for (const st of source.statements) {
    const named = st as ts.Statement & { name?: ts.Node };
    if (named.name && ts.isIdentifier(named.name) && named.name.text === name) return named.name.getStart(source);
  }
  throw new Error(`${file}: no top-level declaration named ${name}`);
}

function main(): void {
  const [fileArg, oldName, newName] = process.argv.slice(2);
  if (!fileArg || !oldName || !newName) throw new Error('usage: rename-symbol.ts <file> <OldName> <NewName>');
  const file = path.resolve(fileArg);
  const { service } = languageService();
  const locations =
    service.findRenameLocations(file, declarationPosition(file, oldName), false, false, {
      providePrefixAndSuffixTextForRename: false,
    }) ?? [];
  const byFile = new Map<string, ts.RenameLocation[]>();
  for (const loc of locations) byFile.set(loc.fileName, [...(byFile.get(loc.fileName) ?? []), loc]);
  for (const [f, locs] of byFile) {
    let text = readFileSync(f, 'utf8');
    for (const loc of locs.sort((a, b) => b.textSpan.start - a.textSpan.start)) {
      const { start, length } = loc.textSpan;
      text =
        text.slice(0, start) + (loc.prefixText ?? '') + newName + (loc.suffixText ?? '') + text.slice(start + length);
    }
    writeFileSync(f, text);
    console.log(`${path.relative(process.cwd(), f)}: ${locs.length}`);
  }
  console.log(`renamed ${oldName} → ${newName} at ${locations.length} places`);
}

main();
