import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fetcher } from '../../../pipelines/ingest/fetcher.js';
import { ImageOptionsSchema } from '../../../pipelines/ingest/image.js';
import { createLanguageIdentifier, type LanguageIdentifier } from '../../../pipelines/ingest/lang.js';
import { buildRecord } from '../../../pipelines/ingest/record.js';
import { redactUrl } from '../../../pipelines/ingest/redact.js';
import { startFaultServer, type FaultServer } from './fault-server.js';

// Issue 17 defects 9 and 18: URL credentials and signed query values never reach records or error text.
describe('URL redaction in records and row errors (defects 9, 18)', () => {
  let server: FaultServer;
  let fetcher: Fetcher;
  let lang: LanguageIdentifier;
  const image = ImageOptionsSchema.parse({ size: 48, minSide: 16 });
  before(async () => {
    server = await startFaultServer();
    fetcher = new Fetcher({ ssrfAllow: ['127.0.0.1/32'], retries: 0 });
    lang = await createLanguageIdentifier();
  });
  after(async () => {
    await fetcher.close();
    await server.close();
    lang.dispose();
  });
  const withSecrets = (path: string, query: string): string => server.base.replace('://', '://alice:pa55w0rd@') + path + query;
  const build = (url: string) =>
    buildRecord(
      { index: 0, url, caption: 'a face', alt_captions: [] },
      { source: 'test', fetcher, image, lang, now: () => 1, redactUrl: (u) => fetcher.redact(u) },
    );
  const assertClean = (text: string | null): void => {
    for (const secret of ['alice', 'pa55w0rd', 's3cr3t']) assert.ok(!text?.includes(secret), `${secret} in ${text}`);
  };

  it('a URL with userinfo is fetched and stored without it (policy: strip)', async () => {
    const rec = await build(withSecrets('/jpeg', '?X-Amz-Signature=s3cr3t&X-Amz-Credential=s3cr3t&w=1'));
    assert.equal(rec.status, 'ok', rec.error ?? '');
    assertClean(rec.url);
    assert.equal(rec.url, `${server.base}/jpeg?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&w=1`);
  });
  it('an HTTP error names the redacted URL', async () => {
    const rec = await build(withSecrets('/404', '?token=s3cr3t'));
    assert.equal(rec.status, 'http_error');
    assertClean(rec.url);
    assertClean(rec.error);
    assert.match(rec.error!, /HTTP 404 from .*token=REDACTED/);
  });
  it('a redirect to a signed URL is redacted in the error too', async () => {
    const rec = await build(`${server.base}/redirect?to=${encodeURIComponent('/404?sig=s3cr3t')}`);
    assert.equal(rec.status, 'http_error');
    assertClean(rec.error);
  });
  it('an invalid URL is reported without its userinfo', async () => {
    const rec = await build('http://alice:pa55w0rd@[::1/x.jpg');
    assert.equal(rec.status, 'invalid_input');
    assertClean(rec.url);
    assertClean(rec.error);
  });
  it('the parameter list is configurable, matching case-insensitively with prefix patterns', () => {
    assert.equal(redactUrl('https://h/p?Sig=1&keep=2', ['sig']), 'https://h/p?Sig=REDACTED&keep=2');
    assert.equal(redactUrl('https://h/p?my-secret-a=1', ['my-secret-*']), 'https://h/p?my-secret-a=REDACTED');
    assert.equal(redactUrl('https://h/p?a=1&b=2', []), 'https://h/p?a=1&b=2');
    assert.equal(redactUrl('file:///tmp/x.jpg'), 'file:///tmp/x.jpg');
    assert.throws(() => new Fetcher({ redactQueryParams: ['a*b'] }));
  });
});
