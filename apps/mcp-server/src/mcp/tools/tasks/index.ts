/** Tasks: a per-user to-do list (scopes tasks.read, tasks.write). */
import type { ToolModule } from '../../tool.ts';
import { completeTask } from './complete-task.ts';
import { createTask } from './create-task.ts';
import { listTasks } from './list-tasks.ts';

export const tasks: ToolModule = {
  tables: `
    CREATE TABLE IF NOT EXISTS tasks (
      server TEXT NOT NULL,
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      user_id TEXT NOT NULL,
      title TEXT NOT NULL,
      done INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      created_via TEXT NOT NULL,
      completed_at INTEGER,
      completed_via TEXT
    );
    CREATE INDEX IF NOT EXISTS tasks_user ON tasks (server, user_id);
  `,
  tools: [listTasks, createTask, completeTask],
  seedUser(db, server, userId, now) {
    const insert = db.prepare('INSERT INTO tasks (server, user_id, title, created_at, created_via) VALUES (?, ?, ?, ?, ?)');
    insert.run(server, userId, 'Review the Q3 roadmap', now, 'seed');
    insert.run(server, userId, 'Rotate the staging API keys', now, 'seed');
  },
  reset(db, server) {
    db.prepare('DELETE FROM tasks WHERE server = ?').run(server);
  },
};
