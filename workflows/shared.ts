// Contracts shared by workflow code and clients; bundle-safe (no Node built-ins, no activity code).

/** Task queue names (ARCHITECTURE.md §Temporal). */
export const QUEUES = { etl: 'etl', train: 'train', eval: 'eval' } as const;
