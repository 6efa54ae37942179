/** Docs: per-user documents (scopes docs.read, docs.write). */
import type { ToolModule } from '../../tool.ts';
import { readDoc } from './read-doc.ts';
import { searchDocs } from './search-docs.ts';
import { writeDoc } from './write-doc.ts';

export const docs: ToolModule = {
  tables: `
    CREATE TABLE IF NOT EXISTS documents (
      server TEXT NOT NULL,
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      user_id TEXT NOT NULL,
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      updated_via TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS documents_user ON documents (server, user_id);
  `,
  tools: [searchDocs, readDoc, writeDoc],
  seedUser(db, server, userId, now) {
    const insert = db.prepare('INSERT INTO documents (server, user_id, title, body, updated_at, updated_via) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(server, userId, 'Onboarding checklist', 'Laptop, SSO account, coding agent, MCP servers approved by IT.', now, 'seed');
    insert.run(server, userId, 'Incident runbook', 'Page the on-call, open a channel, write the timeline as you go.', now, 'seed');
  },
  reset(db, server) {
    db.prepare('DELETE FROM documents WHERE server = ?').run(server);
  },
};
