import { Option, type Command } from 'commander';
import { ConfigError, loadConfig, type ConfigInput, type SigforgeConfig } from '../config.js';

/** Adds the options every command shares (config file, Temporal connection, storage root). */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('-c, --config <file>', 'YAML or JSON config file')
    .option('--temporal-address <host:port>', 'Temporal frontend address (env TEMPORAL_ADDRESS)')
    .option('--namespace <name>', 'Temporal namespace (env TEMPORAL_NAMESPACE)')
    .option('--tls', 'use TLS with system roots (env TEMPORAL_TLS=1)')
    .option('--tls-cert <file>', 'mTLS client certificate (env TEMPORAL_TLS_CLIENT_CERT_PATH)')
    .option('--tls-key <file>', 'mTLS client key (env TEMPORAL_TLS_CLIENT_KEY_PATH)')
    .option('--tls-ca <file>', 'CA certificate of the server (env TEMPORAL_TLS_SERVER_CA_CERT_PATH)')
    .addOption(new Option('--api-key <key>', 'Temporal API key (prefer env TEMPORAL_API_KEY)').hideHelp())
    .option('--root <uri>', 'storage root: file:///abs/path or s3://bucket/prefix (env SIGFORGE_ROOT)');
}

interface GlobalFlags {
  config?: string;
  temporalAddress?: string;
  namespace?: string;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  apiKey?: string;
  root?: string;
}

/** Resolves the validated config for a command from its flags (and the global ones), env and config file. */
export function commandConfig(command: Command, extra: ConfigInput = {}): SigforgeConfig {
  // The settings file is `-c, --config` before the verb (the root's) or after it (the verb's copy of the shared
  // option); a verb with its own `--config` (train's run config, pipeline's file) has no `-c` and never means it.
  let root = command;
  while (root.parent) root = root.parent;
  const settingsAfterVerb = command.options.some((opt) => opt.long === '--config' && opt.short === '-c');
  const config = root.opts<GlobalFlags>().config ?? (settingsAfterVerb ? command.opts<GlobalFlags>().config : undefined);
  const o = { ...command.optsWithGlobals<GlobalFlags>(), config };
  const tls =
    o.tlsCert || o.tlsKey || o.tlsCa
      ? { clientCertPath: o.tlsCert, clientKeyPath: o.tlsKey, serverRootCaPath: o.tlsCa }
      : o.tls
        ? true
        : undefined;
  const flags: ConfigInput = {
    ...extra,
    temporal: { ...extra.temporal, address: o.temporalAddress, namespace: o.namespace, tls, apiKey: o.apiKey },
    storage: { ...extra.storage, root: o.root ?? extra.storage?.root },
  };
  return loadConfig({ file: o.config, env: process.env, flags });
}

/** Parses an integer flag, throwing a ConfigError naming the flag when it is not an integer in [min, max]. */
export function intFlag(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(flag, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, 'flags');
  }
  return n;
}
