// Contracts shared by workflow code and clients; bundle-safe (no Node built-ins, no activity code).

/** Task queue names (ARCHITECTURE.md §Temporal). */
export const QUEUES = { etl: 'etl', train: 'train', eval: 'eval' } as const;

/**
 * Names of the errors no retry can fix — bad input or config, missing or damaged data, an unusable backend — in every
 * area. The one list: activities turn these into non-retryable failures (workflows/failures.ts) and workflows name
 * them in retry policies. No two sigforge error classes share a name, so a name here means exactly that class.
 */
export const NON_RETRYABLE_ERRORS = [
  'IngestInputError',
  'CurateConfigError',
  'CurateInputError',
  'TrainConfigError',
  'TrainCheckpointError',
  'LoaderConfigError',
  'LoaderInputError',
  'ModelConfigError',
  'ModelInputError',
  'CheckpointError',
  'BackendError',
  'EvalConfigError',
  'EvalDataError',
  'ManifestError',
  'NotFoundError',
  'ZodError',
  'InvalidUriError',
];
