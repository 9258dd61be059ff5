// Conversion between HF tensor layouts (PyTorch Linear [out, in], Conv2d [D, 3, p, p]) and sigforge's ([in, out],
// patch kernels over (y, x, channel)-flattened patches). Names are unchanged.
import { type ModelConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { type HostTensor } from './safetensors.js';

function transpose2d(t: HostTensor): HostTensor {
  const [r, c] = t.shape as [number, number];
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j]!;
  return { dtype: 'float32', shape: [c, r], data: out };
}

/** True for 2-D HF weights stored as [out, in] (every Linear; not embedding tables). */
function isLinearWeight(name: string, rank: number): boolean {
  if (rank !== 2) return false;
  if (name.endsWith('in_proj_weight')) return true;
  return name.endsWith('.weight') && !name.includes('token_embedding') && !name.includes('position_embedding');
}

/** Converts one HF tensor to sigforge's layout. */
export function fromHfLayout(name: string, t: HostTensor, where: string): HostTensor {
  if (name.endsWith('patch_embedding.weight') && t.shape.length === 4) {
    const [d, c, p, q] = t.shape as [number, number, number, number];
    if (c !== 3 || p !== q) throw new CheckpointError(`"${name}" has shape [${t.shape.join(',')}], expected [D,3,p,p]`, where);
    const out = new Float32Array(t.data.length);
    // [D, c, y, x] → [(y, x, c), D]
    for (let o = 0; o < d; o++)
      for (let ch = 0; ch < 3; ch++)
        for (let y = 0; y < p; y++)
          for (let x = 0; x < p; x++) out[((y * p + x) * 3 + ch) * d + o] = t.data[((o * 3 + ch) * p + y) * p + x]!;
    return { dtype: 'float32', shape: [p * p * 3, d], data: out };
  }
  return isLinearWeight(name, t.shape.length) ? transpose2d(t) : t;
}

/** Converts one sigforge tensor to the HF layout of the given model kind (fixed-res SigLIP: conv patch kernel). */
export function toHfLayout(name: string, t: HostTensor, c: ModelConfig): HostTensor {
  if (name.endsWith('patch_embedding.weight') && !c.vision.naflex) {
    const [k, d] = t.shape as [number, number];
    const p = c.vision.patchSize;
    const out = new Float32Array(k * d);
    for (let o = 0; o < d; o++)
      for (let ch = 0; ch < 3; ch++)
        for (let y = 0; y < p; y++)
          for (let x = 0; x < p; x++) out[((o * 3 + ch) * p + y) * p + x] = t.data[((y * p + x) * 3 + ch) * d + o]!;
    return { dtype: 'float32', shape: [d, 3, p, p], data: out };
  }
  return isLinearWeight(name, t.shape.length) ? transpose2d(t) : t;
}
