// Native BLAS kernels for TensorFlow.js: the public surface of native/.
export { FUSED_ENV, tryRegisterNativeKernels, unregisterNativeKernels } from './register.js';
export type { NativeKernelsReport, NativeKernelOptions } from './register.js';
export type { NativeBackendName } from './backend-buffers.js';
export { loadAddon, NATIVE_ENV, ADDON_PATH, type NativeAddon } from './addon.js';
export { NativeKernelError, NativeShapeError, NativeOptionsError } from './errors.js';
export { profileKernels, type KernelProfile, type KernelTime } from './profile.js';
export { ADAMW_KERNEL, adamwUpdate, adamwUpdateGroup, type AdamWHyper, type AdamWItem } from './adamw.js';
export { FUSED_KERNELS } from './fused-names.js';
