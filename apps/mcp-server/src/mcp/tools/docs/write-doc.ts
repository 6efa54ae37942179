import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';

export const writeDoc = defineTool({
  name: 'write_doc',
  title: 'Write a document',
  description: 'Create a document, or replace the text of an existing one (by id).',
  scope: 'docs.write',
  readOnly: false,
  inputSchema: z
    .object({
      id: z.number().int().positive().optional().describe('Existing document to overwrite; omit to create one.'),
      title: z.string().trim().min(1).max(200),
      body: z.string().max(20_000),
    })
    .strict(),
  run(ctx, input) {
    const via = actorLabel(ctx.actor);
    if (input.id !== undefined) {
      const { changes } = ctx.db
        .prepare('UPDATE documents SET title = ?, body = ?, updated_at = ?, updated_via = ? WHERE server = ? AND user_id = ? AND id = ?')
        .run(input.title, input.body, ctx.nowSeconds, via, ctx.server, ctx.actor.userId, input.id);
      if (changes === 0) return { text: `Document #${input.id} does not exist for ${ctx.actor.username}.`, isError: true };
      return { text: `Document #${input.id} "${input.title}" updated by ${via}.`, data: { actor: via, document: { id: input.id, title: input.title } } };
    }
    const { lastInsertRowid } = ctx.db
      .prepare('INSERT INTO documents (server, user_id, title, body, updated_at, updated_via) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ctx.server, ctx.actor.userId, input.title, input.body, ctx.nowSeconds, via);
    const id = Number(lastInsertRowid);
    return { text: `Document #${id} "${input.title}" created by ${via}.`, data: { actor: via, document: { id, title: input.title } } };
  },
});
