import { type ObjectStore } from '../../storage/index.js';
import { writeReport } from '../report/write-report.js';

/** What the pipeline's own activities need. */
export interface PipelineDeps {
  store: ObjectStore;
}

/** The pipeline's last step: a report over everything the stages wrote. */
export function createPipelineActivities({ store }: PipelineDeps) {
  return {
    /** Writes the HTML report over the given URIs (or keys under the store) into `out`; returns its URI. */
    async writePipelineReport(input: { sources: string[]; out: string; title: string }): Promise<string> {
      const asUri = (s: string) => (s.includes('://') ? s : store.uri(s));
      const { uri } = await writeReport(input.sources.map(asUri), asUri(input.out), { title: input.title });
      return uri;
    },
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
