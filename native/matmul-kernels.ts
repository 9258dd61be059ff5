// BatchMatMul and _FusedMatMul kernels that run GEMM in the native addon on the backend's own buffers.
import { type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { ACTIVATION_CODES, type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { biasTiles, planMatMul, type MatMulPlan } from './matmul-plan.js';

type KernelArgs = Parameters<KernelFunc>[0];

function plan(a: TensorInfo, b: TensorInfo, attrs: NamedAttrMap | undefined): MatMulPlan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  try {
    return planMatMul(a.shape, b.shape, Boolean(attrs?.transposeA), Boolean(attrs?.transposeB));
  } catch {
    return null; // let the backend's own kernel raise its usual error
  }
}

/** Runs the planned GEMM into a new output tensor; null when an input is not readable in place. */
function gemm(
  addon: NativeAddon,
  access: BufferAccess,
  args: KernelArgs,
  p: MatMulPlan,
  epilogue?: { bias: TensorInfo | undefined; activation: number; alpha: number; prelu: TensorInfo | undefined },
): TensorInfo | null {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  // Check readability before allocating so that a fallback leaves nothing behind.
  if (!access.read(args.backend, a) || !access.read(args.backend, b)) return null;
  if (epilogue?.bias && !access.read(args.backend, epilogue.bias)) return null;
  if (epilogue?.prelu && !access.read(args.backend, epilogue.prelu)) return null;
  const out = access.alloc(args.backend, p.outShape);
  // Views are taken after allocation: growing the wasm heap detaches earlier ones.
  const av = access.read(args.backend, a)!;
  const bv = access.read(args.backend, b)!;
  const cv = out.view();
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  addon.sgemm(av, bv, cv, p.batch, p.m, p.n, p.k, transposeA, transposeB, p.aIndex, p.bIndex);
  if (epilogue && (epilogue.bias || epilogue.activation !== ACTIVATION_CODES.linear)) {
    const biasView = epilogue.bias ? access.read(args.backend, epilogue.bias) : null;
    const preluView = epilogue.prelu ? access.read(args.backend, epilogue.prelu) : null;
    addon.epilogue(cv, biasView, epilogue.activation, epilogue.alpha, preluView);
  }
  return out.info;
}

function tiles(t: TensorInfo | undefined, outShape: number[]): boolean {
  return !t || (t.dtype === 'float32' && biasTiles(t.shape, outShape));
}

/** A BatchMatMul kernel that uses the addon for float32 inputs and `original` otherwise. */
export function batchMatMulKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const p = plan(a, b, args.attrs);
    return (p && gemm(addon, access, args, p)) ?? original.kernelFunc(args);
  };
  return { ...original, kernelFunc };
}

/** A _FusedMatMul kernel (bias + any tfjs fused activation) on the addon; biases or prelu weights that do not tile fall back. */
export function fusedMatMulKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const {
      a,
      b,
      bias,
      preluActivationWeights: prelu,
    } = args.inputs as {
      a: TensorInfo;
      b: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const activationName = String(args.attrs?.activation ?? 'linear');
    const activation = (ACTIVATION_CODES as Record<string, number>)[activationName];
    const p = plan(a, b, args.attrs);
    const ok =
      p !== null &&
      activation !== undefined &&
      tiles(bias, p.outShape) &&
      (activationName !== 'prelu' || (prelu !== undefined && tiles(prelu, p.outShape)));
    const alpha = Number(args.attrs?.leakyreluAlpha ?? 0.2);
    return (ok && gemm(addon, access, args, p, { bias, activation, alpha, prelu })) || original.kernelFunc(args);
  };
  return { ...original, kernelFunc };
}
