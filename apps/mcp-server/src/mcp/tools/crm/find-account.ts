import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';
import { likePattern } from '../like.ts';

export const findAccount = defineTool({
  name: 'find_account',
  title: 'Find an account',
  description: 'Find CRM accounts by name, with their latest notes.',
  scope: 'crm.read',
  readOnly: true,
  inputSchema: z.object({ name: z.string().trim().min(1).max(200) }).strict(),
  run(ctx, input) {
    const accounts = ctx.db
      .prepare("SELECT id, name, industry FROM crm_accounts WHERE server = ? AND user_id = ? AND name LIKE ? ESCAPE '\\' ORDER BY id LIMIT 20")
      .all(ctx.server, ctx.actor.userId, likePattern(input.name)) as Array<{ id: number; name: string; industry: string }>;
    const notes = ctx.db.prepare('SELECT text, created_via FROM crm_notes WHERE server = ? AND account_id = ? ORDER BY id DESC LIMIT 3');
    const result = accounts.map((a) => ({ ...a, notes: notes.all(ctx.server, a.id) as Array<{ text: string; created_via: string }> }));
    const via = actorLabel(ctx.actor);
    return {
      text: `${accounts.length} account${accounts.length === 1 ? '' : 's'} match "${input.name}" for ${via}${
        accounts.length ? `:\n${result.map((a) => `#${a.id} ${a.name} (${a.industry}), ${a.notes.length} recent note(s)`).join('\n')}` : '.'
      }`,
      data: { actor: via, accounts: result },
    };
  },
});
