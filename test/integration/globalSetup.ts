/** Starts one in-memory Azurite for the whole test run; each test file uses its own table prefix. */
import type { TestProject } from 'vitest/node';
import { startAzurite, type RunningAzurite } from '../../dev/localhost/azurite';

let azurite: RunningAzurite | undefined;

export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide('tablesConnectionString', azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    tablesConnectionString: string;
  }
}
