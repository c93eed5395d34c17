/**
 * The Node arguments the deployed app's worker runs with: `languageWorkers__node__arguments` in
 * infra/app/api.bicep, for the instance memory main.bicep deploys. Workloads run with them, so the memory the
 * benchmark prints is the deployed app's and not whatever heap limit V8 picks from this machine's memory.
 * test/infra/armTemplate.test.ts checks the compiled template says the same.
 */
export const DEPLOYED_INSTANCE_MEMORY_MB = 2048;

export const DEPLOYED_NODE_ARGUMENTS: readonly string[] = [`--max-old-space-size=${DEPLOYED_INSTANCE_MEMORY_MB / 2}`];
