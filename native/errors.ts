// Errors of the native-kernel area: one base class carrying context, subclasses per failure kind.

/** Base class for errors raised by the native BLAS kernels and their loader. */
export class NativeKernelError extends Error {
  constructor(
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Tensor shapes that a kernel cannot combine (inner sizes differ, batch dims do not broadcast). */
export class NativeShapeError extends NativeKernelError {}

/** Options passed to tryRegisterNativeKernels that are out of range. */
export class NativeOptionsError extends NativeKernelError {}
