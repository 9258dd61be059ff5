import type { Command } from 'commander';

/** `sigforge demo`: the whole pipeline on embedded defaults (issue #10; not built yet). */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run ingest → curate → train → evaluate → report on real multilingual emoji data (not built yet)')
    .option('--minutes <n>', 'training time budget', '15')
    .action(() => {
      console.error(
        [
          'sigforge demo is not built yet. When it is, it will:',
          '  1. build a multilingual image-text corpus from npm-packaged emoji art and CLDR names (≥ 20 languages),',
          '  2. serve it from a loopback HTTP server and start an embedded Temporal dev server and workers,',
          '  3. run ingest → curate → train (tiny SigLIP 2, bounded time) → evaluate on a held-out style → report.',
          'Today: `sigforge dev-server` and `sigforge worker` work; see README.md.',
        ].join('\n'),
      );
      process.exitCode = 2;
    });
}
