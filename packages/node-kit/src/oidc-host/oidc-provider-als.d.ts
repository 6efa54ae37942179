/** oidc-provider's per-request store (lib/helpers/als.js), which its package ships without types. */
declare module 'oidc-provider/lib/helpers/als.js' {
  import type { AsyncLocalStorage } from 'node:async_hooks';

  const requestStorage: AsyncLocalStorage<unknown>;
  export default requestStorage;
}
