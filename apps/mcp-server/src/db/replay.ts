/**
 * Single-use ID-JAGs (EMA §7.4.2): `consume` is one atomic `INSERT … ON CONFLICT DO NOTHING` keyed by
 * (server, iss, jti), so two concurrent presentations of one ID-JAG cannot both win, and the record
 * survives a restart. Rows are kept until `exp` plus the clock skew, then pruned. The inserts of one
 * turn of the event loop share a commit (node-kit `groupCommit`, in arrival order: the first
 * presentation wins); `consume` resolves once its row is committed, so no access token leaves for an
 * ID-JAG whose use is not on disk.
 */
import { type Db, groupCommit } from '@xaa/node-kit';
import type { ReplayStore } from '@xaa/protocol';

export class JtiReplayStore implements ReplayStore {
  private readonly insert;
  private readonly commit;

  constructor(
    private readonly db: Db,
    private readonly server: string,
    private readonly nowSeconds: () => number,
  ) {
    this.insert = db.prepare('INSERT INTO id_jag_jti (server, iss, jti, exp, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.commit = groupCommit(db);
  }

  consume(entry: { iss: string; jti: string; exp: number }): Promise<boolean> {
    const usedAt = this.nowSeconds();
    return this.commit(() => this.insert.run(this.server, entry.iss, entry.jti, entry.exp, usedAt).changes === 1);
  }

  /** Forget ID-JAGs that expired more than `skew` seconds ago: they fail the exp check anyway. */
  prune(skew: number): number {
    return this.db.prepare('DELETE FROM id_jag_jti WHERE server = ? AND exp < ?').run(this.server, this.nowSeconds() - skew).changes;
  }
}
