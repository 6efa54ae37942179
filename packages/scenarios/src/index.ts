import type { Scenario } from './scenario.ts';
import { consentVsXaa } from './stories/consent-vs-xaa.ts';
import { contractorDenied } from './stories/contractor-denied.ts';
import { keyRotation } from './stories/key-rotation.ts';
import { replayBlocked } from './stories/replay-blocked.ts';
import { revokedMidSession } from './stories/revoked-mid-session.ts';
import { samlSamePolicy } from './stories/saml-same-policy.ts';
import { scopeNarrowed } from './stories/scope-narrowed.ts';
import { stolenToken } from './stories/stolen-token.ts';
import { unapprovedAgent } from './stories/unapproved-agent.ts';

export * from './playground-client.ts';
export * from './scenario.ts';

/** In the order a presenter tells the story (docs/decisions.md §7). */
export const SCENARIOS: readonly Scenario[] = [
  consentVsXaa,
  contractorDenied,
  scopeNarrowed,
  unapprovedAgent,
  revokedMidSession,
  replayBlocked,
  stolenToken,
  keyRotation,
  samlSamePolicy,
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
