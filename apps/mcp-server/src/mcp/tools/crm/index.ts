/** CRM: per-user accounts and notes (scopes crm.read, crm.write). */
import type { ToolModule } from '../../tool.ts';
import { findAccount } from './find-account.ts';
import { logNote } from './log-note.ts';

export const crm: ToolModule = {
  tables: `
    CREATE TABLE IF NOT EXISTS crm_accounts (
      server TEXT NOT NULL,
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      user_id TEXT NOT NULL,
      name TEXT NOT NULL,
      industry TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS crm_accounts_user ON crm_accounts (server, user_id);
    CREATE TABLE IF NOT EXISTS crm_notes (
      server TEXT NOT NULL,
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      account_id INTEGER NOT NULL,
      user_id TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      created_via TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS crm_notes_account ON crm_notes (server, account_id);
  `,
  tools: [findAccount, logNote],
  seedUser(db, server, userId) {
    const insert = db.prepare('INSERT INTO crm_accounts (server, user_id, name, industry) VALUES (?, ?, ?, ?)');
    insert.run(server, userId, 'Globex Corporation', 'Manufacturing');
    insert.run(server, userId, 'Initech', 'Software');
  },
  reset(db, server) {
    db.prepare('DELETE FROM crm_notes WHERE server = ?').run(server);
    db.prepare('DELETE FROM crm_accounts WHERE server = ?').run(server);
  },
};
