// Dawn (npm `webgpu`, a prebuilt dawn.node) as navigator.gpu for @tensorflow/tfjs-backend-webgpu in Node: picks the
// route (Vulkan core for real GPUs, OpenGL ES compatibility for Mesa), asks for the adapter's limits when the device
// is created (tfjs leaves maxStorageBuffersPerShaderStage at the default 8), and removes navigator again at stop.

/** How Dawn reaches the GPU: Vulkan (core WebGPU, NVIDIA/AMD/lavapipe ≥ 25) or OpenGL ES (compatibility mode). */
export type DawnRoute = 'vulkan' | 'gles';

/** Environment variable that forces one route (default: Vulkan, then OpenGL ES). */
export const WEBGPU_ROUTE_ENV = 'SIGFORGE_WEBGPU_ROUTE';

/** What the adapter says about itself, for logs and benchmark reports. */
export interface AdapterReport {
  readonly route: DawnRoute;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation (llvmpipe, lavapipe, SwiftShader or a fallback adapter): never chosen by `auto`. */
  readonly software: boolean;
  /** maxStorageBuffersPerShaderStage the device is created with. */
  readonly storageBuffersPerStage: number;
}

interface GpuLike {
  requestAdapter(opts?: Record<string, unknown>): Promise<AdapterLike | null>;
}
interface AdapterLike {
  readonly info: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter?: boolean;
  };
  readonly limits: Record<string, number>;
  readonly isFallbackAdapter?: boolean;
  requestDevice(desc?: { requiredLimits?: Record<string, number>; requiredFeatures?: unknown[] }): Promise<unknown>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** Limits tfjs does not ask for but our kernels need raised to what the adapter offers. */
const RAISED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxBindingsPerBindGroup',
] as const;

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|swrast/i;

let installed: { keys: string[]; report: AdapterReport } | null = null;

function routesToTry(): DawnRoute[] {
  const forced = process.env[WEBGPU_ROUTE_ENV];
  if (forced === 'vulkan' || forced === 'gles') return [forced];
  if (forced) throw new Error(`${WEBGPU_ROUTE_ENV} must be "vulkan" or "gles", got "${forced}"`);
  return ['vulkan', 'gles'];
}

function instance(dawn: DawnModule, route: DawnRoute): { gpu: GpuLike; adapterOpts: Record<string, unknown> } {
  if (route === 'vulkan') return { gpu: dawn.create(['backend=vulkan']), adapterOpts: {} };
  // Mesa's EGL needs no display server on the surfaceless platform; GLES only offers compatibility-mode WebGPU.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  return { gpu: dawn.create(['backend=opengles']), adapterOpts: { featureLevel: 'compatibility' } };
}

function describe(route: DawnRoute, a: AdapterLike): AdapterReport {
  const i = a.info;
  const text = `${i.vendor} ${i.architecture} ${i.device} ${i.description}`;
  const software =
    a.isFallbackAdapter === true ||
    i.isFallbackAdapter === true ||
    i.architecture === 'software' ||
    SOFTWARE.test(text);
  return {
    route,
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    software,
    storageBuffersPerStage: a.limits.maxStorageBuffersPerShaderStage ?? 8,
  };
}

/** navigator.gpu whose adapters always get the route's options and whose devices get the adapter's limits. */
function wrapGpu(gpu: GpuLike, adapterOpts: Record<string, unknown>): GpuLike {
  return {
    requestAdapter: async (opts) => {
      const adapter = await gpu.requestAdapter({ ...opts, ...adapterOpts });
      if (!adapter) return null;
      const requestDevice = adapter.requestDevice.bind(adapter);
      const raised: Record<string, number> = {};
      for (const k of RAISED_LIMITS) if (adapter.limits[k] !== undefined) raised[k] = adapter.limits[k];
      return Object.assign(Object.create(adapter) as AdapterLike, {
        info: adapter.info,
        limits: adapter.limits,
        features: (adapter as unknown as { features: unknown }).features,
        requestDevice: (desc: Parameters<AdapterLike['requestDevice']>[0] = {}) =>
          requestDevice({ ...desc, requiredLimits: { ...raised, ...desc.requiredLimits } }),
      });
    },
  };
}

/**
 * Loads dawn.node and installs navigator.gpu (and the WebGPU globals) on the first route with an adapter; returns
 * the adapter's report, or why none was found. Call stopDawn when done, or Node does not exit.
 */
export async function startDawn(): Promise<{ report: AdapterReport } | { error: string }> {
  if (installed) return { report: installed.report };
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (err) {
    return {
      error: `npm package "webgpu" is not installed or failed to load (${(err as Error).message.split('\n')[0]})`,
    };
  }
  const tried: string[] = [];
  for (const route of routesToTry()) {
    const { gpu, adapterOpts } = instance(dawn, route);
    const adapter = await gpu.requestAdapter(adapterOpts).catch(() => null);
    if (!adapter) {
      tried.push(`${route}: no adapter`);
      continue;
    }
    const report = describe(route, adapter);
    const g = globalThis as Record<string, unknown>;
    const keys = Object.keys(dawn.globals).filter((k) => !(k in g));
    for (const k of keys) g[k] = dawn.globals[k];
    // Node ≥ 21 has a read-only navigator getter: define our own property over it.
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: wrapGpu(gpu, adapterOpts) },
      configurable: true,
      writable: true,
    });
    installed = { keys: [...keys, 'navigator'], report };
    return { report };
  }
  return { error: `Dawn found no adapter (${tried.join('; ')})` };
}

/** The adapter report while Dawn is installed, else null. */
export function dawnAdapter(): AdapterReport | null {
  return installed?.report ?? null;
}

/** Removes navigator and the globals startDawn added (Dawn keeps Node alive while navigator.gpu is reachable). */
export function stopDawn(): void {
  if (!installed) return;
  const g = globalThis as Record<string, unknown>;
  for (const k of installed.keys) delete g[k];
  installed = null;
}

/** One line for logs: route, vendor, architecture, device, description. */
export function formatAdapter(r: AdapterReport): string {
  const parts = [r.vendor, r.architecture, r.device, r.description].filter((s) => s && s.length > 0);
  return `${r.route}: ${parts.join(' / ')}${r.software ? ' (software)' : ''}, ${r.storageBuffersPerStage} storage buffers per stage`;
}
