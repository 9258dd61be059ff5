import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { closeStore, copyObjects, initStore } from '../../../storage/index.js';
import { storesFromConfig } from '../../config.js';
import { commandConfig } from '../context.js';

/** A local path argument as a file:// URI (always local, relative to the current directory), keeping a trailing slash. */
function localUri(p: string): string {
  const uri = pathToFileURL(path.resolve(p)).href;
  return /[\\/]$/.test(p) ? `${uri}/` : uri;
}

/** `sigforge storage init|put|get`: prepare the storage root, upload sources, download reports. */
export function register(program: Command): void {
  const storage = program.command('storage').description('the storage root: create and check it, copy files to and from it (local disk or S3)');
  storage
    .command('init')
    .description('create the bucket if missing and check write, conditional PUT (If-None-Match), list, read and delete under the root')
    .action(async (_o: unknown, command: Command) => {
      const stores = storesFromConfig(commandConfig(command));
      const store = stores.open(stores.rootUri!);
      try {
        const r = await initStore(store);
        if (r.bucket) console.log(`bucket: ${r.bucket}`);
        for (const line of r.checks) console.log(line);
        console.log(`storage root ${r.rootUri} is ready`);
      } finally {
        closeStore(store);
      }
    });
  storage
    .command('put <local> <ref>')
    .description('upload a local file or folder to a place under the storage root (runs/x, lists/) or an s3:// URI')
    .action(async (local: string, ref: string, _o: unknown, command: Command) => {
      const stores = storesFromConfig(commandConfig(command));
      const to = stores.resolve(ref) + (ref.endsWith('/') ? '/' : '');
      const r = await copyObjects(stores, localUri(local), to);
      console.log(`${r.objects} object(s), ${r.bytes} bytes → ${r.to}`);
    });
  storage
    .command('get <ref> [local]')
    .description('download an object or everything under a prefix (a report folder, a run) to a local path (default ./<name>)')
    .action(async (ref: string, local: string | undefined, _o: unknown, command: Command) => {
      const stores = storesFromConfig(commandConfig(command));
      const from = stores.resolve(ref);
      const dest = local ?? path.basename(from);
      const r = await copyObjects(stores, from, localUri(dest));
      console.log(`${r.objects} object(s), ${r.bytes} bytes → ${r.to}`);
    });
}
