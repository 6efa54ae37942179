/** Wiki: per-user pages (scopes wiki.read, wiki.write). Its AS speaks classic OAuth only. */
import type { ToolModule } from '../../tool.ts';
import { editPage } from './edit-page.ts';
import { readPage } from './read-page.ts';
import { searchWiki } from './search-wiki.ts';

export const wiki: ToolModule = {
  tables: `
    CREATE TABLE IF NOT EXISTS wiki_pages (
      server TEXT NOT NULL,
      user_id TEXT NOT NULL,
      slug TEXT NOT NULL,
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      updated_via TEXT NOT NULL,
      PRIMARY KEY (server, user_id, slug)
    );
  `,
  tools: [searchWiki, readPage, editPage],
  seedUser(db, server, userId, now) {
    const insert = db.prepare('INSERT OR IGNORE INTO wiki_pages (server, user_id, slug, title, body, updated_at, updated_via) VALUES (?, ?, ?, ?, ?, ?, ?)');
    insert.run(server, userId, 'home', 'Home', 'Welcome to the team wiki. See [[vpn-setup]].', now, 'seed');
    insert.run(server, userId, 'vpn-setup', 'VPN setup', 'Install the client, sign in with SSO, pick the nearest gateway.', now, 'seed');
  },
  reset(db, server) {
    db.prepare('DELETE FROM wiki_pages WHERE server = ?').run(server);
  },
};
