import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';

export const completeTask = defineTool({
  name: 'complete_task',
  title: 'Complete a task',
  description: 'Mark one of the signed-in user’s tasks as done.',
  scope: 'tasks.write',
  readOnly: false,
  inputSchema: z.object({ id: z.number().int().positive().describe('Task number.') }).strict(),
  run(ctx, input) {
    const via = actorLabel(ctx.actor);
    const row = ctx.db.prepare('SELECT title, done FROM tasks WHERE server = ? AND user_id = ? AND id = ?').get(ctx.server, ctx.actor.userId, input.id) as
      | { title: string; done: number }
      | undefined;
    if (!row) return { text: `Task #${input.id} does not exist for ${ctx.actor.username}.`, isError: true };
    if (row.done)
      return { text: `Task #${input.id} "${row.title}" was already done.`, data: { actor: via, task: { id: input.id, title: row.title, done: true } } };
    ctx.db
      .prepare('UPDATE tasks SET done = 1, completed_at = ?, completed_via = ? WHERE server = ? AND user_id = ? AND id = ?')
      .run(ctx.nowSeconds, via, ctx.server, ctx.actor.userId, input.id);
    return { text: `Task #${input.id} "${row.title}" completed by ${via}.`, data: { actor: via, task: { id: input.id, title: row.title, done: true } } };
  },
});
