import { Injectable } from '@nestjs/common';
import { WebhookRepository } from '../persistence/webhook.repository';
import { WebhookSecrets } from '../webhook-secrets';

/** Swaps tried on one endpoint that other writes keep replacing, before it is left for a re-run. */
const ATTEMPTS = 5;

/**
 * Key rotation for webhook signing secrets (`tokens:reencrypt`, with the accounts' tokens): seals
 * every endpoint's secret again with the current key, so the old key can be dropped without
 * breaking signatures. Each endpoint is a compare-and-swap, safe beside live deliveries (they
 * only read the secret) and re-runnable.
 */
@Injectable()
export class ReencryptWebhookSecrets {
  constructor(
    private readonly store: WebhookRepository,
    private readonly secrets: WebhookSecrets,
  ) {}

  async execute(batch = 500): Promise<{ moved: number; left: number }> {
    let moved = 0;
    let left = 0;
    for (let after = 0; ;) {
      const page = await this.store.sealedSecretsAfter(after, batch);
      if (!page.length) break;
      for (const endpoint of page) {
        after = endpoint.id;
        let sealed: string | undefined = endpoint.sealed;
        for (let attempt = 0; sealed !== undefined; attempt++) {
          const next = this.secrets.resealed(endpoint.id, sealed);
          if (next === null) break; // already under the current key
          if (await this.store.replaceSealedSecret(endpoint.id, sealed, next)) {
            moved++;
            break;
          }
          if (attempt >= ATTEMPTS) {
            left++;
            break;
          }
          // changed (or deleted) meanwhile: look again
          sealed = (await this.store.findEndpoint(endpoint.id))?.secretEncrypted;
        }
      }
    }
    return { moved, left };
  }
}
