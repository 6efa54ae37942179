export { AS_CASES, type AsCase, type AsTarget } from './as/cases.ts';
export { discoverAuthorizationServer, metadataUrls } from './as/discovery.ts';
export { type AsScorecardOptions, runAsScorecard, selectCases } from './as/run.ts';
export { ScorecardError } from './http.ts';
export { type FaultKind, type FaultRule, type FaultState, type IdpAccess, IdpAdmin, type MintMutation, type MintRequest } from './idp.ts';
export { loadPlayground, type PlaygroundManifest } from './playground.ts';
export { renderJunit } from './report/junit.ts';
export { renderTable } from './report/table.ts';
export * from './report/types.ts';
