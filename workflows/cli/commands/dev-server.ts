import path from 'node:path';
import type { Command } from 'commander';
import { startDevServer } from '../../dev/dev-server.js';
import { intFlag } from '../context.js';

/** Where the dev server logs: --log-file, else beside the state it keeps (--db-file), so one flag moves both. */
export function devServerLogFile(opts: { dbFile: string; logFile?: string }): string {
  if (opts.logFile !== undefined) return path.resolve(opts.logFile);
  return path.join(path.dirname(path.resolve(opts.dbFile)), 'logs', 'temporal-dev-server.log');
}

/** `sigforge dev-server`: an embedded Temporal dev server with its web UI on 127.0.0.1. */
export function register(program: Command): void {
  program
    .command('dev-server')
    .description('start a local Temporal dev server (gRPC and web UI on 127.0.0.1); Ctrl-C stops it')
    .option('--port <n>', 'gRPC port', '7233')
    .option('--ui-port <n>', 'web UI port', '8233')
    .option('--db-file <file>', 'SQLite file that keeps state across restarts', path.join('.sigforge', 'temporal.db'))
    .option('--in-memory', 'keep no state on disk')
    .option('--log-file <file>', "the server's log (default logs/temporal-dev-server.log beside --db-file)")
    .action(async (opts: { port: string; uiPort: string; dbFile: string; inMemory?: boolean; logFile?: string }) => {
      const server = await startDevServer({
        port: intFlag(opts.port, '--port', 1, 65535),
        uiPort: intFlag(opts.uiPort, '--ui-port', 1, 65535),
        ...(opts.inMemory ? {} : { dbFile: path.resolve(opts.dbFile) }),
        logFile: devServerLogFile(opts),
      });
      console.log(`Temporal dev server: ${server.address} (namespace ${server.namespace})`);
      console.log(`Web UI:              ${server.uiUrl}`);
      console.log(`Workers:             sigforge worker --temporal-address ${server.address}`);
      console.log('Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        server.process.once('exit', stop);
      });
      await server.stop();
      console.log('Temporal dev server stopped.');
    });
}
