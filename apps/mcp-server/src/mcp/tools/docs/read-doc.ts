import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';

export const readDoc = defineTool({
  name: 'read_doc',
  title: 'Read a document',
  description: 'Read one of the signed-in user’s documents.',
  scope: 'docs.read',
  readOnly: true,
  inputSchema: z.object({ id: z.number().int().positive() }).strict(),
  run(ctx, input) {
    const row = ctx.db
      .prepare('SELECT id, title, body, updated_via FROM documents WHERE server = ? AND user_id = ? AND id = ?')
      .get(ctx.server, ctx.actor.userId, input.id) as { id: number; title: string; body: string; updated_via: string } | undefined;
    if (!row) return { text: `Document #${input.id} does not exist for ${ctx.actor.username}.`, isError: true };
    const via = actorLabel(ctx.actor);
    return { text: `# ${row.title}\n\n${row.body}\n\n(read by ${via}; last written by ${row.updated_via})`, data: { actor: via, document: row } };
  },
});
