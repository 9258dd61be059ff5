// Fused weighted softmax cross-entropy (LocCa's vocabulary loss) and the sum of squares behind the global gradient
// norm (names in fused-names.ts).
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { FUSED_KERNELS } from './fused-names.js';
import { KernelIO } from './kernel-io.js';

function rowsAndClasses(io: KernelIO, logits: TensorInfo, targets: TensorInfo, weights: TensorInfo): [number, number] {
  const [rows, classes] = logits.shape as [number, number];
  if (logits.shape.length !== 2 || targets.shape.join() !== String(rows) || weights.shape.join() !== String(rows)) {
    io.shapeError('logits must be [rows, classes] with targets and weights [rows]', {
      logits: logits.shape,
      targets: targets.shape,
      weights: weights.shape,
    });
  }
  return [rows, classes];
}

/** SigforgeCrossEntropy: [loss (scalar), lse [rows]] with loss = Σ_r w_r·(lse_r − logits_r[t_r]). */
export function crossEntropyKernel(
  addon: NativeAddon,
  access: BufferAccess,
  _o: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelName = FUSED_KERNELS.crossEntropy;
  const kernelFunc: KernelFunc = ({ inputs, backend }) => {
    const io = new KernelIO(access, backend, `${kernelName} on ${backendName}`);
    const { logits, targets, weights } = inputs as Record<'logits' | 'targets' | 'weights', TensorInfo>;
    io.check('logits', logits);
    io.check('targets', targets, 'int32');
    io.check('weights', weights);
    const [rows, classes] = rowsAndClasses(io, logits, targets, weights);
    const out = io.alloc([[], [rows]]);
    const [loss, lse] = out.views();
    addon.crossEntropy(io.f32(logits), io.i32(targets), io.f32(weights), rows, classes, lse!, loss!);
    return out.infos;
  };
  return { kernelName, backendName, kernelFunc };
}

/** SigforgeCrossEntropyGrad: dlogits = dy·w_r·(softmax(logits_r) − onehot(t_r)). */
export function crossEntropyGradKernel(
  addon: NativeAddon,
  access: BufferAccess,
  _o: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelName = FUSED_KERNELS.crossEntropyGrad;
  const kernelFunc: KernelFunc = ({ inputs, backend }) => {
    const io = new KernelIO(access, backend, `${kernelName} on ${backendName}`);
    const { dy, logits, targets, weights, lse } = inputs as Record<
      'dy' | 'logits' | 'targets' | 'weights' | 'lse',
      TensorInfo
    >;
    for (const [name, t] of Object.entries({ dy, logits, weights, lse })) io.check(name, t);
    io.check('targets', targets, 'int32');
    const [rows, classes] = rowsAndClasses(io, logits, targets, weights);
    if (dy.shape.length !== 0 || lse.shape.join() !== String(rows))
      io.shapeError('dy must be a scalar and lse [rows]', { dy: dy.shape, lse: lse.shape });
    const out = io.alloc([[rows, classes]]);
    addon.crossEntropyGrad(
      io.f32(dy),
      io.f32(logits),
      io.i32(targets),
      io.f32(weights),
      io.f32(lse),
      rows,
      classes,
      out.views()[0]!,
    );
    return out.infos[0]!;
  };
  return { kernelName, backendName, kernelFunc };
}

/** SigforgeSumSquares: Σ x² over all inputs (any names, any shapes), accumulated in double, as a float32 scalar. */
export function sumSquaresKernel(
  addon: NativeAddon,
  access: BufferAccess,
  _o: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelName = FUSED_KERNELS.sumSquares;
  const kernelFunc: KernelFunc = ({ inputs, backend }) => {
    const io = new KernelIO(access, backend, `${kernelName} on ${backendName}`);
    const xs = Object.entries(inputs as Record<string, TensorInfo>);
    for (const [name, t] of xs) io.check(name, t);
    const out = io.alloc([[]]);
    const [y] = out.views();
    let total = 0;
    for (const [, t] of xs) total += addon.sumSquares(io.f32(t));
    y![0] = total;
    return out.infos[0]!;
  };
  return { kernelName, backendName, kernelFunc };
}
