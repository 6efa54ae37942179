import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';
import { likePattern } from '../like.ts';

export const searchDocs = defineTool({
  name: 'search_docs',
  title: 'Search documents',
  description: "Search the signed-in user's documents by title and text.",
  scope: 'docs.read',
  readOnly: true,
  inputSchema: z.object({ query: z.string().trim().min(1).max(200) }).strict(),
  run(ctx, input) {
    const rows = ctx.db
      .prepare(
        "SELECT id, title FROM documents WHERE server = ? AND user_id = ? AND (title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\') ORDER BY id LIMIT 50",
      )
      .all(ctx.server, ctx.actor.userId, likePattern(input.query), likePattern(input.query)) as Array<{ id: number; title: string }>;
    const via = actorLabel(ctx.actor);
    return {
      text: `${rows.length} document${rows.length === 1 ? '' : 's'} match "${input.query}" for ${via}${rows.length ? `:\n${rows.map((r) => `#${r.id} ${r.title}`).join('\n')}` : '.'}`,
      data: { actor: via, documents: rows },
    };
  },
});
