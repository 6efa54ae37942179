import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';
import { slugSchema } from './slug.ts';

export const readPage = defineTool({
  name: 'read_page',
  title: 'Read a wiki page',
  description: 'Read a wiki page by its slug.',
  scope: 'wiki.read',
  readOnly: true,
  inputSchema: z.object({ slug: slugSchema }).strict(),
  run(ctx, input) {
    const row = ctx.db
      .prepare('SELECT slug, title, body, updated_via FROM wiki_pages WHERE server = ? AND user_id = ? AND slug = ?')
      .get(ctx.server, ctx.actor.userId, input.slug) as { slug: string; title: string; body: string; updated_via: string } | undefined;
    if (!row) return { text: `There is no wiki page "${input.slug}".`, isError: true };
    const via = actorLabel(ctx.actor);
    return { text: `# ${row.title}\n\n${row.body}\n\n(read by ${via}; last edited by ${row.updated_via})`, data: { actor: via, page: row } };
  },
});
