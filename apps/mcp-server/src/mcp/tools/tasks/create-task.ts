import { z } from 'zod';
import { actorLabel, defineTool } from '../../tool.ts';

export const createTask = defineTool({
  name: 'create_task',
  title: 'Create a task',
  description: 'Add a task to the signed-in user’s list.',
  scope: 'tasks.write',
  readOnly: false,
  inputSchema: z.object({ title: z.string().trim().min(1).max(200).describe('What needs doing.') }).strict(),
  run(ctx, input) {
    const via = actorLabel(ctx.actor);
    const { lastInsertRowid } = ctx.db
      .prepare('INSERT INTO tasks (server, user_id, title, created_at, created_via) VALUES (?, ?, ?, ?, ?)')
      .run(ctx.server, ctx.actor.userId, input.title, ctx.nowSeconds, via);
    const id = Number(lastInsertRowid);
    return { text: `Task #${id} "${input.title}" created by ${via}.`, data: { actor: via, task: { id, title: input.title, done: false } } };
  },
});
