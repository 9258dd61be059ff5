import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidUriError } from './errors.js';
import { validateKey } from './keys.js';

/** A parsed root URI. */
export type ParsedRoot = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; prefix: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `file:///abs/dir` or `s3://bucket[/prefix]`; throws InvalidUriError naming what is wrong. */
export function parseRootUri(uri: string): ParsedRoot {
  const fail = (why: string): never => {
    throw new InvalidUriError(`storage URI ${JSON.stringify(uri)}: ${why}`, { subject: uri });
  };
  if (typeof uri !== 'string' || uri === '') fail('must be a non-empty string');
  if (uri.startsWith('file:')) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch (err) {
      throw new InvalidUriError(`storage URI ${JSON.stringify(uri)}: not a valid URL`, { subject: uri, cause: err });
    }
    if (parsed.host !== '' && parsed.host !== 'localhost') fail('file URIs must be local (file:///abs/dir)');
    if (parsed.search || parsed.hash) fail('must not have a query or fragment');
    const p = fileURLToPath(parsed);
    if (!path.isAbsolute(p)) fail('path must be absolute');
    return { kind: 'file', path: path.resolve(p) };
  }
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length).replace(/\/+$/, '');
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1);
    if (!BUCKET.test(bucket)) fail(`bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
    if (prefix !== '') {
      try {
        validateKey(prefix);
      } catch (err) {
        throw new InvalidUriError(`storage URI ${JSON.stringify(uri)}: invalid prefix ${JSON.stringify(prefix)}`, {
          subject: uri,
          cause: err,
        });
      }
    }
    return { kind: 's3', bucket, prefix };
  }
  return fail('expected file:///abs/dir or s3://bucket/prefix');
}

/** Splits the URI of one object into a root URI (its folder) and its key, for commands given a file URI. */
export function splitObjectUri(uri: string): { rootUri: string; key: string } {
  const root = parseRootUri(uri);
  if (root.kind === 'file') {
    return { rootUri: pathToFileURL(path.dirname(root.path)).href.replace(/\/$/, ''), key: path.basename(root.path) };
  }
  if (root.prefix === '') throw new InvalidUriError(`object URI ${JSON.stringify(uri)}: names a bucket, not an object`);
  return { rootUri: `s3://${root.bucket}`, key: root.prefix };
}
