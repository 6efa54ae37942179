/** The agent's expected refusals: bad input (usage, a 400 at the API) and contradictions (a 409). */

export class UsageProblem extends Error {
  override name = 'UsageProblem';
  /** Per-field messages, for a 400 `invalid_request` that names what to fix. */
  readonly fields: Record<string, string> | undefined;
  constructor(message: string, fields?: Record<string, string>) {
    super(message);
    this.fields = fields;
  }
}

/** A request that contradicts what the agent already knows (409 `conflict`). */
export class ServerConflict extends Error {
  override name = 'ServerConflict';
}
