import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';

export const logNote = defineTool({
  name: 'log_note',
  title: 'Log a note',
  description: 'Add a note to one of the signed-in user’s CRM accounts.',
  scope: 'crm.write',
  readOnly: false,
  inputSchema: z.object({ account_id: z.number().int().positive(), text: z.string().trim().min(1).max(5_000) }).strict(),
  run(ctx, input) {
    const account = ctx.db
      .prepare('SELECT name FROM crm_accounts WHERE server = ? AND user_id = ? AND id = ?')
      .get(ctx.server, ctx.actor.userId, input.account_id) as { name: string } | undefined;
    if (!account) return { text: `Account #${input.account_id} does not exist for ${ctx.actor.username}.`, isError: true };
    const via = actorLabel(ctx.actor);
    const { lastInsertRowid } = ctx.db
      .prepare('INSERT INTO crm_notes (server, account_id, user_id, text, created_at, created_via) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ctx.server, input.account_id, ctx.actor.userId, input.text, ctx.nowSeconds, via);
    return {
      text: `Note #${Number(lastInsertRowid)} logged on ${account.name} by ${via}.`,
      data: { actor: via, note: { id: Number(lastInsertRowid), account_id: input.account_id } },
    };
  },
});
