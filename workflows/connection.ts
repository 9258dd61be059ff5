import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow/tls-config.js';
import type { SigforgeConfig } from './config.js';

/** Raised when the Temporal server cannot be reached; names the address, never credentials. */
export class TemporalConnectionError extends Error {
  override readonly name = 'TemporalConnectionError';
  constructor(
    readonly address: string,
    options: { cause: unknown },
  ) {
    const raw = options.cause instanceof Error ? options.cause.message : String(options.cause);
    // The Rust core reports e.g. `…Os { code: 111, kind: ConnectionRefused, message: "Connection refused" }…`.
    const reason = /message: "([^"]+)"/.exec(raw)?.[1] ?? raw.split('\n')[0];
    super(
      `cannot connect to Temporal at ${address}: ${reason}. ` +
        'Check --temporal-address / TEMPORAL_ADDRESS, TLS and API key settings, and that the server is running ' +
        '(`sigforge dev-server` starts a local one).',
      options,
    );
  }
}

function tlsOptions(tls: SigforgeConfig['temporal']['tls']): TLSConfig | boolean {
  if (typeof tls === 'boolean') return tls;
  return {
    ...(tls.serverNameOverride ? { serverNameOverride: tls.serverNameOverride } : {}),
    ...(tls.serverRootCaPath ? { serverRootCACertificate: readFileSync(tls.serverRootCaPath) } : {}),
    ...(tls.clientCertPath && tls.clientKeyPath
      ? { clientCertPair: { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) } }
      : {}),
  };
}

function connectionOptions(temporal: SigforgeConfig['temporal']) {
  const tls = tlsOptions(temporal.tls);
  return {
    address: temporal.address,
    // An API key implies TLS (Temporal Cloud); the SDK turns TLS on for it when `tls` is left undefined.
    ...(tls === false && temporal.apiKey ? {} : { tls }),
    ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
  };
}

/** Opens the worker-side (Rust core) connection. */
export async function connectWorker(temporal: SigforgeConfig['temporal']): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(temporal));
  } catch (err) {
    throw new TemporalConnectionError(temporal.address, { cause: err });
  }
}

/** Opens a client for starting, querying and signalling workflows and managing schedules. */
export async function connectClient(temporal: SigforgeConfig['temporal']): Promise<Client> {
  try {
    const connection = await Connection.connect({ ...connectionOptions(temporal), connectTimeout: '10s' });
    return new Client({ connection, namespace: temporal.namespace });
  } catch (err) {
    throw new TemporalConnectionError(temporal.address, { cause: err });
  }
}
