/** Per-AS settings (admin API `/admin/settings`), read on every request so a change applies at once. */
import type { Db } from '@xaa/node-kit';
import { type AsSettings, defaults } from '../config.ts';

export class SettingsStore {
  /** This process is the only writer of its servers' rows, so the settings are cached until updated. */
  private cached: AsSettings | undefined;

  constructor(
    private readonly db: Db,
    private readonly server: string,
  ) {}

  get(): AsSettings {
    if (!this.cached) {
      const row = this.db.prepare('SELECT json FROM settings WHERE server = ?').get(this.server) as { json: string } | undefined;
      this.cached = Object.freeze({ ...defaults.settings, ...(row ? (JSON.parse(row.json) as Partial<AsSettings>) : {}) });
    }
    return this.cached;
  }

  update(patch: Partial<AsSettings>): AsSettings {
    const next = { ...this.get(), ...patch };
    this.db
      .prepare('INSERT INTO settings (server, json) VALUES (?, ?) ON CONFLICT(server) DO UPDATE SET json = excluded.json')
      .run(this.server, JSON.stringify(next));
    this.cached = undefined;
    return this.get();
  }
}
