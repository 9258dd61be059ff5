// Where the recorded history of each workflow type lives under test/fixtures/histories/ (shared by
// scripts/record-histories.ts, which writes them, and test/workflows/replay.test.ts, which replays them).

/** Fixture folder per workflow type; every workflow in workflows/workflows.ts must have one. */
export const HISTORY_FOLDERS: { readonly [workflowType: string]: string } = {
  storageSmokeWorkflow: 'smoke',
  ingestWorkflow: 'ingest',
  curateWorkflow: 'curate',
  trainWorkflow: 'train',
  stageEvaluationWorkflow: 'stage-evaluation',
  evaluateWorkflow: 'evaluate',
  pipelineWorkflow: 'pipeline',
  ingestNewListsWorkflow: 'schedules',
};
