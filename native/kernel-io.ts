// Input checks and output allocation shared by the fused kernels, which have no backend kernel to fall back to.
import { type DataType, type TensorInfo } from '@tensorflow/tfjs';
import { type BufferAccess } from './backend-buffers.js';
import { NativeKernelError, NativeShapeError } from './errors.js';

/** One call of a fused kernel on one backend: checked inputs, outputs allocated before any view is taken. */
export class KernelIO {
  constructor(
    private readonly access: BufferAccess,
    private readonly backend: unknown,
    /** Kernel name and backend, for error messages. */
    readonly where: string,
  ) {}

  /** Throws unless `t` has `dtype` and lives in this backend's memory as a typed array. */
  check(name: string, t: TensorInfo, dtype: DataType = 'float32'): void {
    const readable = dtype === 'int32' ? this.access.readInt32(this.backend, t) : this.access.read(this.backend, t);
    if (t.dtype !== dtype || !readable) {
      throw new NativeKernelError(
        `${this.where}: ${name} must be a ${dtype} tensor, got ${t.dtype}[${t.shape.join(',')}]`,
        {
          input: name,
          dtype: t.dtype,
          shape: t.shape,
        },
      );
    }
  }

  /** Throws a NativeShapeError stating what the shapes must satisfy. */
  shapeError(message: string, shapes: Record<string, readonly number[]>): never {
    const got = Object.entries(shapes)
      .map(([k, s]) => `${k} [${s.join(',')}]`)
      .join(', ');
    throw new NativeShapeError(`${this.where}: ${message}; got ${got}`, { shapes });
  }

  /** Allocates float32 outputs; call f32/i32 for views only after this (the wasm heap may move). */
  alloc(shapes: number[][]): { infos: TensorInfo[]; views: () => Float32Array[] } {
    const outs = shapes.map((s) => this.access.alloc(this.backend, s));
    return { infos: outs.map((o) => o.info), views: () => outs.map((o) => o.view()) };
  }

  /** A checked float32 input's current view. */
  f32(t: TensorInfo): Float32Array {
    return this.access.read(this.backend, t)!;
  }

  /** A checked int32 input's current view. */
  i32(t: TensorInfo): Int32Array {
    return this.access.readInt32(this.backend, t)!;
  }
}

/** Number of elements of a shape. */
export function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
