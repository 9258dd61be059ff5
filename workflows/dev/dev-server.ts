import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { findTool } from './tools.js';
import { freePort, waitForPort } from './ports.js';

/** Options for an embedded Temporal dev server; every address is loopback. */
export interface DevServerOptions {
  /** gRPC port (default: a free one). */
  port?: number;
  /** Web UI port (default: a free one); `false` disables the UI. */
  uiPort?: number | false;
  /** SQLite file for durable state across restarts; in-memory when omitted. */
  dbFile?: string;
  /** Where the server's output goes (default: discarded). */
  logFile?: string;
  namespace?: string;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

/** A running dev server. */
export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly namespace: string;
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

async function waitForHttpOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}: not ready within ${timeoutMs} ms (${last})`);
}

/** Starts `temporal server start-dev` on 127.0.0.1 with the binary found by {@link findTool}. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const binary = findTool('temporal');
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const uiPort = options.uiPort === false ? undefined : (options.uiPort ?? (await freePort(host)));
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--namespace', namespace];
  args.push('--log-level', 'warn');
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-ip', host, '--ui-port', String(uiPort));
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never leave an orphaned server behind if this process ends without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await Promise.race([
      waitForPort(host, port, options.startTimeoutMs ?? 60_000),
      exited.then(() => {
        throw new Error(`temporal dev server (${binary}) exited with code ${child.exitCode} before it was ready`);
      }),
    ]);
    if (uiPort !== undefined) {
      // The UI proxies to the frontend: when it answers for our namespace, both are ready.
      await waitForHttpOk(`http://${host}:${uiPort}/api/v1/namespaces/${namespace}`, options.startTimeoutMs ?? 60_000);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address: `${host}:${port}`,
    uiUrl: uiPort === undefined ? undefined : `http://${host}:${uiPort}`,
    namespace,
    process: child,
    stop,
  };
}
