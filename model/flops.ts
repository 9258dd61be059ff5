// Analytic FLOP counts (2 per multiply-add, matmuls only) of the forward pass, for throughput reporting.
import { type ModelConfig } from './config.js';

interface Tower {
  width: number;
  depth: number;
  mlpDim: number;
}

function encoderMacs(t: Tower, b: number, n: number): number {
  const d = t.width;
  return t.depth * (4 * b * n * d * d + 2 * b * n * n * d + 2 * b * n * d * t.mlpDim);
}

/** Forward FLOPs of one batch: both towers, MAP head, logits and `loccaTasks` decoder passes. */
export function forwardFlops(c: ModelConfig, batch: number, patches: number, loccaTasks: number): number {
  const v = c.vision;
  const t = c.text;
  const n = patches;
  const len = t.maxLength;
  let macs = batch * n * v.patchSize * v.patchSize * 3 * v.width + encoderMacs(v, batch, n);
  // MAP head: K/V projections over N tokens, one query, attention, out-projection and MLP on one token.
  macs += batch * (2 * n * v.width * v.width + 2 * v.width * v.width + 2 * n * v.width + 2 * v.width * v.mlpDim);
  macs += encoderMacs(t, batch, len) + batch * t.width * c.embedDim;
  macs += batch * batch * c.embedDim;
  const dt = t.width;
  const perTask =
    c.decoderDepth *
      (4 * batch * len * dt * dt + 2 * batch * len * len * dt + 2 * batch * len * dt * dt + 2 * batch * n * v.width * dt + 2 * batch * len * n * dt + 2 * batch * len * dt * t.mlpDim) +
    batch * len * dt * t.vocabSize;
  macs += loccaTasks * perTask;
  return 2 * macs;
}

/** Training-step FLOPs: forward plus a backward of twice its cost. */
export function trainStepFlops(c: ModelConfig, batch: number, patches: number, loccaTasks: number): number {
  return 3 * forwardFlops(c, batch, patches, loccaTasks);
}
