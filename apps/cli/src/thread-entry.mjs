// The worker-thread entry when the CLI runs from its TypeScript sources (tsx): a worker does not
// inherit the main thread's module hooks, so it registers tsx's own before loading main.ts (which
// then runs the part, see part-thread.ts). The bundled CLI (`npm start`) runs itself instead.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
