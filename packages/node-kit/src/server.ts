/** Listening with clear errors: a taken port or a bad address is a message, not a stack trace. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Listen on host:port; `close()` ends keep-alive and SSE sockets too, so shutdown never hangs. */
export function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host = '127.0.0.1',
  label = 'server',
): Promise<RunningServer> {
  const server = createServer(handler);
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(new ListenError(`${label}: port ${port} on ${host} is already in use. Stop the other program or choose another port.`, e.code));
      else if (e.code === 'EACCES') reject(new ListenError(`${label}: not allowed to listen on ${host}:${port}.`, e.code));
      else if (e.code === 'EADDRNOTAVAIL') reject(new ListenError(`${label}: the address ${host} is not available on this machine.`, e.code));
      else reject(e);
    });
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
