/** The tools module of each sample server, by server name (docs/decisions.md §3). */
import type { ToolModule } from '../tool.ts';
import { crm } from './crm/index.ts';
import { docs } from './docs/index.ts';
import { tasks } from './tasks/index.ts';
import { wiki } from './wiki/index.ts';

export const toolModules: Record<string, ToolModule> = { tasks, docs, crm, wiki };
