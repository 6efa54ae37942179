/**
 * Single-use ID-JAGs (EMA §7.4.2): `consume` is one atomic `INSERT … ON CONFLICT DO NOTHING` keyed by
 * (server, iss, jti), so two concurrent presentations of one ID-JAG cannot both win, and the record
 * survives a restart. Rows are kept until `exp` plus the clock skew, then pruned.
 */
import type { Db } from '@xaa/node-kit';
import type { ReplayStore } from '@xaa/protocol';

export class JtiReplayStore implements ReplayStore {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly server: string,
    private readonly nowSeconds: () => number,
  ) {
    this.insert = db.prepare('INSERT INTO id_jag_jti (server, iss, jti, exp, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  }

  consume(entry: { iss: string; jti: string; exp: number }): boolean {
    return this.insert.run(this.server, entry.iss, entry.jti, entry.exp, this.nowSeconds()).changes === 1;
  }

  /** Forget ID-JAGs that expired more than `skew` seconds ago: they fail the exp check anyway. */
  prune(skew: number): number {
    return this.db.prepare('DELETE FROM id_jag_jti WHERE server = ? AND exp < ?').run(this.server, this.nowSeconds() - skew).changes;
  }
}
