import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** External server binaries the project builds or finds: the Temporal CLI (dev server) and MinIO. */
export type ToolName = 'temporal' | 'minio';

const envVar: Record<ToolName, string> = { temporal: 'TEMPORAL_CLI', minio: 'MINIO_BIN' };

const howToGet: Record<ToolName, string> = {
  temporal:
    'run `npm run setup` (builds it with `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` into .tools/bin), ' +
    'or install the Temporal CLI and put `temporal` on PATH, or set TEMPORAL_CLI to its path',
  minio:
    'run `npm run setup` (builds it with `go install github.com/minio/minio@RELEASE.2025-10-15T17-29-55Z` into .tools/bin), ' +
    'or put `minio` on PATH, or set MINIO_BIN to its path',
};

/** Raised when a required server binary cannot be found; says where it looked and how to get it. */
export class ToolNotFoundError extends Error {
  override readonly name = 'ToolNotFoundError';
  constructor(
    readonly tool: ToolName,
    readonly searched: readonly string[],
  ) {
    super(`${tool}: binary not found (looked in ${searched.join(', ')}); ${howToGet[tool]}`);
  }
}

function isExecutable(file: string): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Finds a tool: $TEMPORAL_CLI / $MINIO_BIN, then `.tools/bin` of this checkout (`root`), then PATH. */
export function findTool(tool: ToolName, env: NodeJS.ProcessEnv = process.env, root: string = repoRoot): string {
  const searched: string[] = [];
  const fromEnv = env[envVar[tool]];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new ToolNotFoundError(tool, [`$${envVar[tool]}=${fromEnv} (not an executable file)`]);
  }
  searched.push(`$${envVar[tool]} (unset)`);
  const local = path.join(root, '.tools', 'bin', tool);
  searched.push(local);
  if (isExecutable(local)) return local;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, tool);
    if (isExecutable(candidate)) return candidate;
  }
  searched.push('PATH');
  throw new ToolNotFoundError(tool, searched);
}

/**
 * Finds a tool, building it with `scripts/setup <tool>` first when it is missing and Go is available (the demo's
 * first run on a fresh clone); `log` hears what happens.
 */
export function ensureTool(tool: ToolName, log: (line: string) => void): string {
  try {
    return findTool(tool);
  } catch (err) {
    if (!(err instanceof ToolNotFoundError)) throw err;
    log(`${tool}: not found; running scripts/setup ${tool} (one-time: builds it with Go, a few minutes)…`);
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'setup'), tool], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw err;
    return findTool(tool);
  }
}
