// Public surface of model/: what training, evaluation and the CLI import.
export {
  BACKEND_ENV,
  BACKEND_NAMES,
  NATIVE_THREADS_ENV,
  type BackendChoice,
  type BackendName,
  type BackendOptions,
  selectBackend,
} from './backend.js';
export { BackendError, CheckpointError, ModelConfigError, ModelError, ModelInputError } from './errors.js';
export {
  type ModelConfig,
  type ModelConfigInput,
  SIZE_NAMES,
  fixedGrid,
  modelConfig,
  modelConfigSchema,
  parseModelConfig,
  visionPositions,
} from './config.js';
export { CompactVocab, type CompactVocabJson, GEMMA, type TextEncoder, loadGemmaTokenizer, siglipTokenBatch, siglipTokens } from './tokenizer.js';
export { ParamStore, type ParamGetter, type ParamSpec, countParams, towerSpecs } from './params.js';
export { type FixedImages, type NaflexImages, type VisionInput, type VisionOutput, mapHead, patchify, positionsForGrid, visionTower } from './vision.js';
export { type TextOutput, textTower } from './text.js';
export { type SiglipOutput, siglipForward, siglipLogits } from './siglip.js';
export { type NaflexPatches, type NaflexSize, naflexBatch, naflexPatchify, naflexSize, resizeRgb } from './naflex.js';
export { aaResizeMatrix, gridResizeMatrix } from './resize.js';
export { piResizeKernel } from './pi-resize.js';
export { decoderForward, decoderLogits, decoderSpecs } from './decoder.js';
export { type LoccaSequence, type RelBox, arefTarget, boxText, captionTarget, emptyTarget, gcapTarget } from './locca-targets.js';
export { chunkedSigmoidLoss, sigmoidLoss } from './losses/sigmoid.js';
export { type LoccaTask, chunkedCrossEntropySum, loccaLoss, loccaTaskLoss } from './losses/locca.js';
export { distillCrossEntropy, localToGlobalLoss, teacherProbs, updateCenter } from './losses/distill.js';
export { createTeacher, distillHead, distillSpecs, distillWeights, emaUpdate, headDims, mulberry32, randomPatchMask } from './distill.js';
export { AdamW, type AdamWConfig, adamwConfigSchema, isDecayed } from './optimizer.js';
export { warmupCosine } from './schedule.js';
export {
  type DistillBatch,
  type TrainBatch,
  type TrainModel,
  type TrainStepOptions,
  type TrainStepResult,
  createTrainModel,
  disposeTrainModel,
  enableDistillation,
  trainStep,
} from './train-step.js';
export { type HostTensor, decodeSafetensors, encodeSafetensors } from './safetensors.js';
export { hfConfigFromModel, modelConfigFromHf } from './hf-config.js';
export { type LoadedCheckpoint, hfSafetensorsBytes, loadHfCheckpoint, paramsFromHfTensors, readSafetensorsFile, saveHfCheckpoint } from './hf-checkpoint.js';
export { forwardFlops, trainStepFlops } from './flops.js';
export { loadTrainState, trainStateBytes } from './train-state.js';
