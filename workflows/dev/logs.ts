import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A per-process folder for server logs; it is never deleted, so logs survive a failing run for inspection. */
export function serverLogDir(name: string): string {
  const dir = path.join(os.tmpdir(), 'sigforge-test-logs', `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
