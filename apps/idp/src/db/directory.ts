/**
 * The IdP directory on SQLite: users, groups, client apps (with their per-AS client ids, the
 * draft-04 §5 mapping), MCP servers (the EMA §7.6.1 (audience, resource) pairs) and connections.
 * Rows go in and out as plain records with wire-style snake_case names (records.ts); each table's
 * SQL lives in its own module, and this store adds the read cache, the transactions and the rules
 * that span tables (unique emails, the policy engine's view).
 */
import { type Db, deepFreeze, writeGeneration } from '@xaa/node-kit';
import type { Connection, Directory } from '@xaa/policy';
import { type AppInput, deleteAppRow, selectApp, selectApps, upsertAppRows } from './apps.ts';
import {
  type ConnectionPatch,
  deleteConnectionRow,
  insertConnection,
  type NewConnection,
  selectConnection,
  selectConnections,
  updateConnectionRow,
} from './connections.ts';
import { deleteGroupRow, selectGroup, selectGroups, upsertGroupRow } from './groups.ts';
import { joinPolicyConnections, policyDirectoryOf } from './policy-view.ts';
import { type AppRecord, type ConnectionRecord, EmailTakenError, type GroupRecord, type ServerRecord, type UserRecord } from './records.ts';
import { deleteServerRow, selectServer, selectServers, upsertServerRow } from './servers.ts';
import {
  deleteUserRow,
  insertUser,
  type NewUser,
  newUserId,
  selectUser,
  selectUserByUsername,
  selectUserIdByEmail,
  selectUsers,
  type UserPatch,
  updateUserColumns,
  writeUserGroups,
} from './users.ts';

export {
  type AppKind,
  type AppRecord,
  type ConnectionRecord,
  EmailTakenError,
  type GroupRecord,
  type ServerRecord,
  type TokenEndpointAuthMethod,
  type UserRecord,
} from './records.ts';

export class DirectoryStore {
  constructor(
    readonly db: Db,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Reads on the token-exchange path (the client, the user, the servers, the policy's connections)
   * answered from memory while nothing was written through this connection since (node-kit
   * `writeGeneration`: any write, by any code, empties it). Cached values are frozen: callers copy.
   */
  private readonly memo = new Map<string, unknown>();
  private memoGeneration = Number.NaN;

  private cached<T>(key: string, read: () => T): T {
    const generation = writeGeneration(this.db);
    if (generation !== this.memoGeneration) {
      this.memo.clear();
      this.memoGeneration = generation;
    }
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = deepFreeze(read());
    if (!Number.isNaN(generation)) this.memo.set(key, value);
    return value;
  }

  private now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  // ---- users -----------------------------------------------------------------------------------

  listUsers(): UserRecord[] {
    return selectUsers(this.db);
  }

  getUser(id: string): UserRecord | undefined {
    return this.cached(`user:${id}`, () => selectUser(this.db, id));
  }

  findUserByUsername(username: string): (UserRecord & { password_hash: string }) | undefined {
    return selectUserByUsername(this.db, username);
  }

  /** By id, or by username (admin API paths accept both). */
  resolveUser(idOrUsername: string): UserRecord | undefined {
    return this.getUser(idOrUsername) ?? this.findUserByUsername(idOrUsername);
  }

  /**
   * The user with this email, compared case-insensitively (RFC 5321 §2.4 leaves the local part's
   * case to the mail host; every mail host this directory knows ignores it). Emails are unique here:
   * an AS may link accounts by a verified email, so one address must name one person.
   */
  findUserByEmail(email: string): UserRecord | undefined {
    const id = selectUserIdByEmail(this.db, email);
    return id !== undefined ? this.getUser(id) : undefined;
  }

  private assertEmailFree(email: string, exceptId?: string): void {
    const holder = this.findUserByEmail(email);
    if (holder && holder.id !== exceptId) throw new EmailTakenError(email);
  }

  createUser(input: NewUser): UserRecord {
    const id = input.id ?? newUserId();
    const now = this.now();
    this.db.transaction(() => {
      this.assertEmailFree(input.email);
      insertUser(this.db, id, input, now);
      this.setUserGroups(id, input.groups ?? []);
    })();
    return this.getUser(id) as UserRecord;
  }

  setUserGroups(id: string, groups: string[]): void {
    writeUserGroups(this.db, id, groups);
  }

  updateUser(id: string, patch: UserPatch): UserRecord | undefined {
    const current = this.getUser(id);
    if (!current) return undefined;
    this.db.transaction(() => {
      if (patch.email !== undefined) this.assertEmailFree(patch.email, id);
      updateUserColumns(this.db, id, patch, this.now());
      if (patch.groups) this.setUserGroups(id, patch.groups);
    })();
    return this.getUser(id);
  }

  deleteUser(id: string): boolean {
    return deleteUserRow(this.db, id);
  }

  // ---- groups ----------------------------------------------------------------------------------

  listGroups(): Array<GroupRecord & { members: string[] }> {
    return selectGroups(this.db);
  }

  getGroup(name: string): GroupRecord | undefined {
    return selectGroup(this.db, name);
  }

  upsertGroup(group: GroupRecord): GroupRecord {
    upsertGroupRow(this.db, group);
    return group;
  }

  deleteGroup(name: string): boolean {
    return deleteGroupRow(this.db, name);
  }

  // ---- servers ---------------------------------------------------------------------------------

  listServers(): ServerRecord[] {
    return this.cached('servers', () => selectServers(this.db));
  }

  getServer(name: string): ServerRecord | undefined {
    return this.cached(`server:${name}`, () => selectServer(this.db, name));
  }

  upsertServer(s: ServerRecord): ServerRecord {
    upsertServerRow(this.db, s, this.now());
    return this.getServer(s.name) as ServerRecord;
  }

  deleteServer(name: string): boolean {
    return deleteServerRow(this.db, name);
  }

  // ---- apps ------------------------------------------------------------------------------------

  listApps(): AppRecord[] {
    return selectApps(this.db);
  }

  getApp(clientId: string): AppRecord | undefined {
    return this.cached(`app:${clientId}`, () => selectApp(this.db, clientId));
  }

  upsertApp(a: AppInput): AppRecord {
    upsertAppRows(this.db, a, this.now());
    return this.getApp(a.client_id) as AppRecord;
  }

  deleteApp(clientId: string): boolean {
    return deleteAppRow(this.db, clientId);
  }

  // ---- connections -----------------------------------------------------------------------------

  listConnections(filter: { client_id?: string; server?: string } = {}): ConnectionRecord[] {
    return selectConnections(this.db, filter);
  }

  getConnection(id: string): ConnectionRecord | undefined {
    return selectConnection(this.db, id);
  }

  createConnection(c: NewConnection): ConnectionRecord {
    const id = insertConnection(this.db, c, this.now());
    return this.getConnection(id) as ConnectionRecord;
  }

  updateConnection(id: string, patch: ConnectionPatch): ConnectionRecord | undefined {
    const current = this.getConnection(id);
    if (!current) return undefined;
    updateConnectionRow(this.db, id, { ...current, ...patch }, this.now());
    return this.getConnection(id);
  }

  deleteConnection(id: string): boolean {
    return deleteConnectionRow(this.db, id);
  }

  // ---- the policy engine's view ----------------------------------------------------------------

  /** Connections as the policy engine sees them: joined with the server's pair and the client-id mapping. */
  policyConnections(clientId?: string): Connection[] {
    return this.cached(`policy:${clientId ?? '*'}`, () =>
      joinPolicyConnections(this.db, this.listServers(), this.listConnections(clientId ? { client_id: clientId } : {})),
    );
  }

  /** The engine's view of the directory; like the reads it answers from, kept until the next write. */
  policyDirectory(): Directory {
    return this.cached('policy-directory', () => policyDirectoryOf(this));
  }
}
