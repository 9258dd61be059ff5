// Whether the webgpu tests can run here: in CI (CI=true) a missing adapter is a failure, never a skip.
import { startDawn, stopDawn } from '../../model/webgpu/dawn.js';

/** `skip` is a reason outside CI when Dawn finds no adapter; in CI that throws instead. */
export async function gpuTestGate(): Promise<{ skip: string | false }> {
  const started = await startDawn();
  stopDawn();
  if (!('error' in started)) return { skip: false };
  if (process.env.CI === 'true') throw new Error(`webgpu tests must run in CI but ${started.error}`);
  return { skip: `no WebGPU adapter: ${started.error}` };
}
