// Wraps a store and counts the bytes its reads fetch, to prove projected reads skip the image column.
import { type ObjectStore } from '../../storage/index.js';

/** A store wrapper with `bytesRead` and `requests` counters. */
export function countingStore(inner: ObjectStore): ObjectStore & { bytesRead: number; requests: number } {
  const wrapper = {
    bytesRead: 0,
    requests: 0,
    rootUri: inner.rootUri,
    async get(key: string) {
      const b = await inner.get(key);
      wrapper.bytesRead += b.byteLength;
      wrapper.requests++;
      return b;
    },
    async getRange(key: string, offset: number, length: number) {
      const b = await inner.getRange(key, offset, length);
      wrapper.bytesRead += b.byteLength;
      wrapper.requests++;
      return b;
    },
    put: inner.put.bind(inner),
    putIfAbsent: inner.putIfAbsent.bind(inner),
    head: inner.head.bind(inner),
    list: inner.list.bind(inner),
    delete: inner.delete.bind(inner),
    uri: inner.uri.bind(inner),
  };
  return wrapper;
}
