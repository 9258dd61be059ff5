// Fused multi-head attention (names in fused-names.ts): heads are read in place from [B, T, D] projections, so the
// split/merge transposes, the two batched matmuls, scale, bias, softmax and all their gradients become two kernels.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { FUSED_KERNELS } from './fused-names.js';
import { KernelIO } from './kernel-io.js';

interface Dims {
  b: number;
  tq: number;
  tk: number;
  d: number;
  heads: number;
}

function dims(io: KernelIO, q: TensorInfo, k: TensorInfo, v: TensorInfo, heads: number): Dims {
  const [b, tq, d] = q.shape as [number, number, number];
  const ok =
    q.shape.length === 3 &&
    k.shape.length === 3 &&
    k.shape.join() === v.shape.join() &&
    k.shape[0] === b &&
    k.shape[2] === d &&
    Number.isInteger(heads) &&
    heads >= 1 &&
    d % heads === 0;
  if (!ok)
    io.shapeError(`q must be [B, Tq, D] and k, v [B, Tk, D] with D a multiple of heads=${heads}`, {
      q: q.shape,
      k: k.shape,
      v: v.shape,
    });
  return { b, tq, tk: k.shape[1]!, d, heads };
}

/** Element strides of a bias broadcast to [B, H, Tq, Tk] (0 on its size-1 axes); rank ≤ 4, aligned right. */
function biasStrides(io: KernelIO, bias: TensorInfo, s: Dims): Int32Array {
  const full = [s.b, s.heads, s.tq, s.tk];
  const shape = [...Array<number>(Math.max(0, 4 - bias.shape.length)).fill(1), ...bias.shape];
  if (shape.length !== 4 || shape.some((n, i) => n !== 1 && n !== full[i])) {
    io.shapeError(`bias must broadcast to [B, H, Tq, Tk] = [${full.join(',')}]`, { bias: bias.shape });
  }
  const strides = new Int32Array(4);
  let step = 1;
  for (let i = 3; i >= 0; i--) {
    strides[i] = shape[i] === 1 ? 0 : step;
    step *= shape[i]!;
  }
  return strides;
}

/** SigforgeAttention: [out [B, Tq, D], probs [B, H, Tq, Tk]] = softmax(q·kᵀ·scale + bias)·v per head. */
export function attentionKernel(
  addon: NativeAddon,
  access: BufferAccess,
  _o: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelName = FUSED_KERNELS.attention;
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const io = new KernelIO(access, backend, `${kernelName} on ${backendName}`);
    const { q, k, v, bias } = inputs as { q: TensorInfo; k: TensorInfo; v: TensorInfo; bias?: TensorInfo };
    for (const [name, t] of Object.entries({ q, k, v, ...(bias ? { bias } : {}) })) io.check(name, t);
    const s = dims(io, q, k, v, Number(attrs!.heads));
    const strides = bias ? biasStrides(io, bias, s) : null;
    const out = io.alloc([
      [s.b, s.tq, s.d],
      [s.b, s.heads, s.tq, s.tk],
    ]);
    const [o, p] = out.views();
    const bv = bias ? io.f32(bias) : null;
    addon.attention(
      io.f32(q),
      io.f32(k),
      io.f32(v),
      bv,
      strides,
      s.b,
      s.tq,
      s.tk,
      s.d,
      s.heads,
      Number(attrs!.scale),
      o!,
      p!,
    );
    return out.infos;
  };
  return { kernelName, backendName, kernelFunc };
}

/** SigforgeAttentionGrad: [dq, dk, dv] from the output gradient and the saved probabilities. */
export function attentionGradKernel(
  addon: NativeAddon,
  access: BufferAccess,
  _o: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelName = FUSED_KERNELS.attentionGrad;
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const io = new KernelIO(access, backend, `${kernelName} on ${backendName}`);
    const { dy, q, k, v, probs } = inputs as Record<'dy' | 'q' | 'k' | 'v' | 'probs', TensorInfo>;
    for (const [name, t] of Object.entries({ dy, q, k, v, probs })) io.check(name, t);
    const s = dims(io, q, k, v, Number(attrs!.heads));
    if (dy.shape.join() !== q.shape.join() || probs.shape.join() !== [s.b, s.heads, s.tq, s.tk].join()) {
      io.shapeError('dy must have the shape of q and probs be [B, H, Tq, Tk]', {
        dy: dy.shape,
        q: q.shape,
        probs: probs.shape,
      });
    }
    const out = io.alloc([[...q.shape], [...k.shape], [...v.shape]]);
    const [dq, dk, dv] = out.views();
    addon.attentionGrad(
      io.f32(dy),
      io.f32(q),
      io.f32(k),
      io.f32(v),
      io.f32(probs),
      s.b,
      s.tq,
      s.tk,
      s.d,
      s.heads,
      Number(attrs!.scale),
      dq!,
      dk!,
      dv!,
    );
    return out.infos;
  };
  return { kernelName, backendName, kernelFunc };
}
