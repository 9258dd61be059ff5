// The workflow bundle's entry: every workflow a sigforge worker serves, listed deliberately.
export { storageSmokeWorkflow } from './smoke/workflows.js';
export { ingestWorkflow } from './ingest/workflows.js';
export { curateWorkflow } from './curate/workflows.js';
export { trainWorkflow, stageEvaluationWorkflow } from './train/workflows.js';
export { evaluateWorkflow } from './eval/workflows.js';
export { pipelineWorkflow } from './pipeline/workflows.js';
export { ingestNewListsWorkflow } from './schedules/workflows.js';
