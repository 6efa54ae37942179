import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';
import { likePattern } from '../like.ts';

export const searchWiki = defineTool({
  name: 'search_wiki',
  title: 'Search the wiki',
  description: 'Search wiki pages by title and text.',
  scope: 'wiki.read',
  readOnly: true,
  inputSchema: z.object({ query: z.string().trim().min(1).max(200) }).strict(),
  run(ctx, input) {
    const rows = ctx.db
      .prepare(
        "SELECT slug, title FROM wiki_pages WHERE server = ? AND user_id = ? AND (title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\') ORDER BY slug LIMIT 50",
      )
      .all(ctx.server, ctx.actor.userId, likePattern(input.query), likePattern(input.query)) as Array<{ slug: string; title: string }>;
    const via = actorLabel(ctx.actor);
    return {
      text: `${rows.length} page${rows.length === 1 ? '' : 's'} match "${input.query}" for ${via}${rows.length ? `:\n${rows.map((r) => `${r.slug}: ${r.title}`).join('\n')}` : '.'}`,
      data: { actor: via, pages: rows },
    };
  },
});
