/** The groups table, with each group's members by username. */
import type { Db } from '@xaa/node-kit';
import type { GroupRecord, Row } from './records.ts';

export function selectGroups(db: Db): Array<GroupRecord & { members: string[] }> {
  const rows = db.prepare('SELECT * FROM groups ORDER BY name').all() as Row[];
  const members = db.prepare('SELECT u.username FROM user_groups g JOIN users u ON u.id = g.user_id WHERE g.group_name = ? ORDER BY u.username');
  return rows.map((r) => ({ name: String(r.name), title: String(r.title), members: (members.all(r.name) as Row[]).map((m) => String(m.username)) }));
}

export function selectGroup(db: Db, name: string): GroupRecord | undefined {
  const row = db.prepare('SELECT * FROM groups WHERE name = ?').get(name) as Row | undefined;
  return row ? { name: String(row.name), title: String(row.title) } : undefined;
}

export function upsertGroupRow(db: Db, group: GroupRecord): void {
  db.prepare('INSERT INTO groups (name, title) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET title = excluded.title').run(group.name, group.title);
}

export function deleteGroupRow(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM groups WHERE name = ?').run(name).changes > 0;
}
