/**
 * oidc-provider's `Client` model on this AS's client registry: registered clients (seed, admin API,
 * RFC 7591 registration) come from resource.db; a `client_id` that is a URL is resolved as a Client
 * ID Metadata Document (see ../cimd.ts). Read on every lookup, so an admin change applies at once.
 */
import { ClientRecordsAdapter } from '@xaa/node-kit/oidc-host';
import type { AdapterPayload } from 'oidc-provider';
import type { ClientStore } from '../../db/clients.ts';
import { type CimdResolver, isClientIdUrl } from '../cimd.ts';

export class ClientAdapter extends ClientRecordsAdapter {
  /** Why the last CIMD lookup of a client id failed (for the flow events). */
  readonly lastCimdFailure = new Map<string, string>();

  constructor(
    private readonly store: ClientStore,
    private readonly cimd: CimdResolver,
  ) {
    super();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const record = this.store.get(id);
    if (record) return record.metadata as AdapterPayload;
    if (!isClientIdUrl(id)) return undefined;
    const result = await this.cimd.resolve(id);
    if (!result.ok) {
      if (this.lastCimdFailure.size > 100) this.lastCimdFailure.clear();
      this.lastCimdFailure.set(id, result.reason);
      return undefined;
    }
    this.lastCimdFailure.delete(id);
    return result.metadata as AdapterPayload;
  }

  /** RFC 7591 registration (and its management updates) land here. */
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    this.store.put(id, payload as Record<string, unknown>, this.store.get(id)?.source ?? 'dcr');
  }

  async destroy(id: string): Promise<void> {
    this.store.remove(id);
  }
}
