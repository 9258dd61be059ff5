// The workflow bundle's entry: every workflow a sigforge worker serves, listed deliberately.
export { storageSmokeWorkflow } from './smoke/workflows.js';
