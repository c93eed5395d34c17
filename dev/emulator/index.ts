/** The Graph beta emulator: a loopback HTTP server, its tenant model and its command. */
export { startGraphEmulator, DEFAULT_EMULATOR_TOKEN, GRAPH_ORIGIN, type EmulatorOptions, type RunningEmulator } from './server';
export { EmulatedTenant, GROUP_UNIFIED_TEMPLATE_ID, WRITEBACK_DEFAULT_SETTING_NAME, type EmulatedTenantOptions, type GroupChange, type RemovalReason } from './tenant';
export { FaultInjector, type FaultSettings, type ScriptedFault, type FaultDecision } from './faults';
export { loadFixture, parseFixture, type TenantFixture, type DirectorySetting } from './fixture';
export { syntheticGroup, syntheticGroupId, syntheticMemberCount, COVERAGE_PROFILES, ODD_DISPLAY_NAMES, type SyntheticGroupGenerator } from './syntheticTenant';
export type { EmulatorStats } from './stats';
export type { EmulatorPermissions } from './requestContext';
export { runEmulatorCommand, parseEmulatorArgs, EMULATOR_USAGE } from './cli';
