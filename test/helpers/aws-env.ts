// Tests that prove S3 settings come from the config, not the environment, run with no AWS_* variable set.

/** Removes every AWS_* variable from process.env; the returned function puts them back. */
export function clearAwsEnv(): () => void {
  const saved: { [k: string]: string | undefined } = {};
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('AWS_')) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  }
  return () => void Object.assign(process.env, saved);
}
