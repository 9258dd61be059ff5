import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { findTool } from './tools.js';
import { freePort } from './ports.js';
import { serverLogDir } from './logs.js';

/** A real MinIO server on a free loopback port with a temp data dir and generated credentials. */
export interface MinioServer {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A bucket created at start. */
  readonly bucket: string;
  readonly logFile: string;
  /** An S3 client configured for this server (path-style). */
  client(): S3Client;
  /** Creates another bucket. */
  createBucket(name: string): Promise<void>;
  /** Kills the server process (simulates an outage); data stays. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data dir after {@link kill}. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data dir (logs are kept). */
  stop(): Promise<void>;
}

async function waitHealthy(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`minio exited with code ${child.exitCode} before it was healthy`);
    try {
      const res = await fetch(`${endpoint}/minio/health/live`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`minio at ${endpoint}: not healthy within ${timeoutMs} ms`);
}

/** Starts MinIO; share one per test file and always `await server.stop()`. */
export async function startMinio(): Promise<MinioServer> {
  const binary = findTool('minio');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-minio-'));
  const logFile = path.join(serverLogDir('minio'), 'minio.log');
  const host = '127.0.0.1';
  const port = await freePort(host);
  const consolePort = await freePort(host);
  const endpoint = `http://${host}:${port}`;
  const accessKeyId = `test${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('hex');
  const region = 'us-east-1';
  const bucket = 'sigforge-test';
  let child: ChildProcess;
  const log = createWriteStream(logFile, { flags: 'a' });

  const launch = async (): Promise<void> => {
    child = spawn(
      binary,
      ['server', dataDir, '--address', `${host}:${port}`, '--console-address', `${host}:${consolePort}`, '--quiet'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          MINIO_ROOT_USER: accessKeyId,
          MINIO_ROOT_PASSWORD: secretAccessKey,
          MINIO_REGION: region,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
          MINIO_CALLHOME_ENABLE: 'off',
        },
      },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    await waitHealthy(endpoint, child, 30_000);
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  const client = (): S3Client =>
    new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
    });
  const createBucket = async (name: string): Promise<void> => {
    const s3 = client();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    } finally {
      s3.destroy();
    }
  };

  await launch();
  await createBucket(bucket);
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    bucket,
    logFile,
    client,
    createBucket,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      log.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
