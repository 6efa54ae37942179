import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';
import { slugSchema } from './slug.ts';

export const editPage = defineTool({
  name: 'edit_page',
  title: 'Edit a wiki page',
  description: 'Create or replace a wiki page.',
  scope: 'wiki.write',
  readOnly: false,
  inputSchema: z.object({ slug: slugSchema, title: z.string().trim().min(1).max(200), body: z.string().max(20_000) }).strict(),
  run(ctx, input) {
    const via = actorLabel(ctx.actor);
    ctx.db
      .prepare(
        `INSERT INTO wiki_pages (server, user_id, slug, title, body, updated_at, updated_via) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(server, user_id, slug) DO UPDATE SET title = excluded.title, body = excluded.body, updated_at = excluded.updated_at, updated_via = excluded.updated_via`,
      )
      .run(ctx.server, ctx.actor.userId, input.slug, input.title, input.body, ctx.nowSeconds, via);
    return { text: `Wiki page "${input.slug}" saved by ${via}.`, data: { actor: via, page: { slug: input.slug, title: input.title } } };
  },
});
