import { ApplicationFailure } from '@temporalio/common';
import { type ObjectStore, type Stores } from '../../storage/index.js';
import { ReportEmptyError, writeReport } from '../report/write-report.js';

/** What the pipeline's own activities need. */
export interface PipelineDeps {
  store: ObjectStore;
  /** Opens the URIs the report reads with the worker's storage settings. */
  stores: Stores;
}

/** The pipeline's last step: a report over everything the stages wrote. */
export function createPipelineActivities({ store, stores }: PipelineDeps) {
  return {
    /** Writes the HTML report over the given URIs (or keys under the store) into `out`; returns its URI. */
    async writePipelineReport(input: { sources: string[]; out: string; title: string }): Promise<string> {
      const asUri = (s: string) => (s.includes('://') ? s : store.uri(s));
      try {
        const { uri } = await writeReport(input.sources.map(asUri), asUri(input.out), { title: input.title, stores });
        return uri;
      } catch (err) {
        if (err instanceof ReportEmptyError) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      }
    },
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
