/**
 * The agent's commands for the `xaa` CLI: `login`, `connect`, `call`, `status`, `refresh`, `logout`
 * (cli-commands.ts; shared output and exit codes in cli-support.ts). Human output is one line per step
 * with its timing (stderr) and a short result (stdout); `--json` prints one JSON object for scripts.
 * Exit codes: 0 success, 3 denied (by the IdP's policy, the account, or a server), 1 error, 2 usage.
 * The lead's CLI mounts `clientCommands`; `runClientCli` here parses argv for the standalone `main.ts`.
 */
import { parseCliArgs } from '@xaa/node-kit';
import { UsageProblem } from './agent.ts';
import { call, connect, login, logout, refresh, status } from './cli-commands.ts';
import { type CliIO, type CommandContext, EXIT, paint, processIO } from './cli-support.ts';

export type { CallCommand, ConnectCommand, LoginCommand } from './cli-commands.ts';
export { call, clientCommands, connect, login, logout, refresh, status } from './cli-commands.ts';
export type { CliIO, CommandContext } from './cli-support.ts';
export { EXIT, processIO } from './cli-support.ts';

export const CLIENT_HELP = `agent commands (the sample MCP client):
  login --app <app> [--user <name>] [--headless] [--password <pw>] [--protocol oidc|saml]
                                   SSO at the IdP as a client app (headless fills the login form);
                                   --protocol saml: SAML 2.0 Web SSO (e.g. --app acme-desktop), then the
                                   Assertion is exchanged for an IdP refresh token that mints ID-JAGs
  connect [server…] [--scope "<scopes>"] [--classic] [--headless]
                                   ID-JAG → access token → MCP session for each server
  call <server> <tool> [json-args] [--scope "<scopes>"]
                                   call a tool (tokens renewed silently)
  status                           the session and every connection
  refresh                          renew the ID token with the IdP refresh token now
  logout                           forget the session and its tokens
  common: --data-dir <dir>  --json  --user <name>  --app <app>
          --dpop  bind tokens to this session's key (RFC 9449): proofs at the IdP and the AS,
                  Authorization: DPoP at MCP servers (an app may default to it: "dpop": true)
  exit codes: 0 ok · 1 error · 2 usage · 3 denied`;

/** Parse argv (`<command> …`) and run it; for main.ts and for CLIs that forward raw arguments. */
export async function runClientCli(argv: string[], base: { dataDir: string; io?: CliIO }): Promise<number> {
  const io = base.io ?? processIO;
  const [command, ...rest] = argv;
  try {
    const { values, positionals } = parseCliArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
        user: { type: 'string' },
        app: { type: 'string' },
        password: { type: 'string' },
        protocol: { type: 'string' },
        headless: { type: 'boolean' },
        classic: { type: 'boolean' },
        scope: { type: 'string' },
        dpop: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const ctx: CommandContext = { dataDir: values['data-dir'] ?? base.dataDir, json: values.json ?? false, ...(values.dpop ? { dpop: true } : {}), io };
    const who = { ...(values.user ? { user: values.user } : {}), ...(values.app ? { app: values.app } : {}) };
    if (values.help || !command || command === 'help') {
      io.out(`${CLIENT_HELP}\n`);
      return command || values.help ? EXIT.ok : EXIT.usage;
    }
    switch (command) {
      case 'login':
        if (!values.app) throw new UsageProblem('login needs --app (e.g. --app acme-agent).');
        if (values.protocol !== undefined && values.protocol !== 'oidc' && values.protocol !== 'saml')
          throw new UsageProblem(`--protocol is oidc or saml, not "${values.protocol}".`);
        return await login({
          ...ctx,
          ...who,
          app: values.app,
          headless: values.headless ?? false,
          ...(values.password ? { password: values.password } : {}),
          ...(values.protocol ? { protocol: values.protocol } : {}),
        });
      case 'connect':
        return await connect({
          ...ctx,
          ...who,
          servers: positionals,
          ...(values.scope ? { scope: values.scope } : {}),
          classic: values.classic ?? false,
          headless: values.headless ?? false,
        });
      case 'call': {
        const [server, tool, rawArgs] = positionals;
        if (!server || !tool) throw new UsageProblem('call needs <server> <tool> [json-args].');
        let args: Record<string, unknown> = {};
        if (rawArgs !== undefined) {
          try {
            args = JSON.parse(rawArgs) as Record<string, unknown>;
          } catch {
            throw new UsageProblem(`the tool arguments must be a JSON object, got: ${rawArgs}`);
          }
          if (!args || typeof args !== 'object' || Array.isArray(args)) throw new UsageProblem('the tool arguments must be a JSON object.');
        }
        return await call({ ...ctx, ...who, server, tool, args, ...(values.scope ? { scope: values.scope } : {}) });
      }
      case 'status':
        return await status({ ...ctx, ...who });
      case 'refresh':
        return await refresh({ ...ctx, ...who });
      case 'logout':
        return await logout({ ...ctx, ...who });
      default:
        throw new UsageProblem(`unknown command "${command}".`);
    }
  } catch (e) {
    const p = paint(io);
    if (e instanceof UsageProblem || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${p.red('usage:')} ${(e as Error).message}\n\n${CLIENT_HELP}\n`);
      return EXIT.usage;
    }
    io.err(`${p.red('error:')} ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT.error;
  }
}
