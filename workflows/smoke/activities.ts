import { createHash } from 'node:crypto';

/** What the smoke activities need: an object store that can put and get bytes. */
export interface SmokeDeps {
  store: {
    put(key: string, body: Uint8Array): Promise<unknown>;
    get(key: string): Promise<Uint8Array>;
  };
}

/** Activities that prove a worker can reach its object store: write an object, read it back. */
export function createSmokeActivities({ store }: SmokeDeps) {
  return {
    /** Writes UTF-8 text under `key` and returns its sha256. */
    async writeText(input: { key: string; text: string }): Promise<{ sha256: string; bytes: number }> {
      const bytes = new TextEncoder().encode(input.text);
      await store.put(input.key, bytes);
      return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    },
    /** Reads `key` back and returns its text and sha256. */
    async readText(input: { key: string }): Promise<{ text: string; sha256: string }> {
      const bytes = await store.get(input.key);
      return { text: new TextDecoder().decode(bytes), sha256: createHash('sha256').update(bytes).digest('hex') };
    },
  };
}

export type SmokeActivities = ReturnType<typeof createSmokeActivities>;
