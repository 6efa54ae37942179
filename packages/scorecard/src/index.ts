export { AS_CASES, type AsCase, type AsTarget } from './as/cases.ts';
export { discoverAuthorizationServer, metadataUrls } from './as/discovery.ts';
export { type AsScorecardOptions, runAsScorecard, selectCases } from './as/run.ts';
export { CLEAN_CHECKS, FAULT_CHECKS } from './client/checks.ts';
export { type ClientRunner, type RunResult, shellRunner } from './client/command.ts';
export { ALL_FAULTS, type ClientScorecardOptions, runClientScorecard } from './client/run.ts';
export { ScorecardError } from './http.ts';
export { type FaultKind, type FaultRule, type FaultState, type IdpAccess, IdpAdmin, type MintMutation, type MintRequest } from './idp.ts';
export { type AddClientOptions, type AddClientResult, addClient } from './onboard/add-client.ts';
export { BadServerUrl, discoverMcpServer, type Finding, type FindingStatus, resourceMetadataFrom, type ServerDiscovery } from './onboard/discover.ts';
export {
  type AddServerOptions,
  type AddServerResult,
  addServer,
  agentServerBody,
  type ConfigureAtYourAs,
  configureValues,
  defaultServerName,
  OnboardError,
  scoreAddedServer,
  trustFinding,
} from './onboard/register.ts';
export { loadPlayground, type PlaygroundManifest } from './playground.ts';
export { renderJunit } from './report/junit.ts';
export { renderTable } from './report/table.ts';
export * from './report/types.ts';
