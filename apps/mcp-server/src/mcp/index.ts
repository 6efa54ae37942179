/**
 * A sample server's MCP endpoint on its own, without its authorization server: the handler and the
 * tools modules (`@xaa/mcp-server/mcp`). The bench serves it unauthenticated as the baseline the
 * authenticated endpoint is measured against.
 */
export { type McpRuntime, mcpHttpHandler, nodeMcpHandler } from './handler.ts';
export type { Actor, ToolDefinition, ToolModule } from './tool.ts';
export { toolModules } from './tools/index.ts';
