/**
 * What a sample server's tools look like: one file per tool, the OAuth scope it needs declared beside
 * it, a zod input schema (the SDK validates input and answers a bad call with a tool error), and a
 * `run` that works on per-user rows in resource.db. A server is data: a topology entry plus a
 * `ToolModule` (its tables, its tools, the sample rows a new user starts with).
 */
import type { Db } from '@xaa/node-kit';
import type { z } from 'zod';

/** Who acts through which client: every tool result says so ("alice via Acme Agent"). */
export interface Actor {
  userId: string;
  username: string;
  clientId: string;
  clientTitle: string;
}

export const actorLabel = (a: Actor) => `${a.username} via ${a.clientTitle}`;

export interface ToolContext {
  db: Db;
  server: string;
  actor: Actor;
  nowSeconds: number;
}

export interface ToolOutput {
  text: string;
  data?: Record<string, unknown>;
  /** An expected failure (not found, …): reported as an MCP tool error, never thrown. */
  isError?: boolean;
}

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** The scope a token needs for this tool (403 insufficient_scope otherwise, MCP-AUTHZ). */
  scope: string;
  inputSchema: S;
  readOnly: boolean;
  run(ctx: ToolContext, input: z.infer<S>): ToolOutput;
}

export function defineTool<S extends z.ZodObject>(def: ToolDefinition<S>): ToolDefinition<S> {
  return def;
}

export interface ToolModule {
  /** Idempotent DDL for this module's tables (rows keyed by server and user). */
  tables: string;
  // biome-ignore lint/suspicious/noExplicitAny: a module holds tools of different input schemas
  tools: ToolDefinition<any>[];
  /** Sample rows a new local user starts with. */
  seedUser(db: Db, server: string, userId: string, nowSeconds: number): void;
  /** Delete every row of this server (admin "reset tool data"). */
  reset(db: Db, server: string): void;
}
