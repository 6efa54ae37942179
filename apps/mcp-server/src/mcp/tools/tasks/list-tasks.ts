import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';

type Row = { id: number; title: string; done: number; created_via: string; completed_via: string | null };

export const listTasks = defineTool({
  name: 'list_tasks',
  title: 'List tasks',
  description: "List the signed-in user's tasks.",
  scope: 'tasks.read',
  readOnly: true,
  inputSchema: z.object({ include_done: z.boolean().optional().describe('Include completed tasks (default true).') }).strict(),
  run(ctx, input) {
    const rows = ctx.db
      .prepare(
        `SELECT id, title, done, created_via, completed_via FROM tasks WHERE server = ? AND user_id = ? ${input.include_done === false ? 'AND done = 0' : ''} ORDER BY id`,
      )
      .all(ctx.server, ctx.actor.userId) as Row[];
    const lines = rows.map((r) => `#${r.id} [${r.done ? 'x' : ' '}] ${r.title}`);
    return {
      text: `${rows.length} task${rows.length === 1 ? '' : 's'} of ${actorLabel(ctx.actor)}${lines.length ? `:\n${lines.join('\n')}` : '.'}`,
      data: { actor: actorLabel(ctx.actor), tasks: rows.map((r) => ({ id: r.id, title: r.title, done: r.done === 1, created_via: r.created_via })) },
    };
  },
});
