/**
 * Redemption step `map-subject`: the ID-JAG's `iss`+`sub` to a local user (draft-04 §3.1, identity
 * chaining §2.4.2) through `mapSubject`, reported as one `bearer.check`.
 */
import { need } from '@xaa/node-kit/oidc-host';
import { InvalidGrant } from '@xaa/protocol';
import { type BearerState, emitCheck } from './bearer-state.ts';
import { mapSubject } from './map-subject.ts';

const CHECK = { id: 'subject', title: 'Subject maps to a local user', specRef: 'draft-04 §3.1, identity chaining §2.4.2' };

export function resolveSubject(state: BearerState): void {
  const { claims } = need(state.grant, 'grant');
  const subject = mapSubject(state.rt, claims);
  if (!subject.ok) {
    emitCheck(state, { ok: false, detail: subject.reason, ...CHECK });
    throw new InvalidGrant(subject.reason, { code: 'ERR_SUBJECT_UNKNOWN', specRef: 'identity chaining §2.4.2' });
  }
  const how = subject.provisioned === 'existing' ? '' : ` (${subject.provisioned} just in time)`;
  emitCheck(state, { ok: true, detail: `${claims.sub} → ${subject.user.username}${how}`, user: subject.user.username, ...CHECK });
  state.user = subject.user;
}
