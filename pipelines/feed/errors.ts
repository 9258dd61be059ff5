/** A batch-stream request or resume token is unusable; names the input and what is wrong (never echoes its bytes). */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly input: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${input}: ${message}`, options);
  }
}
