import { Injectable } from '@nestjs/common';
import { TokenVault, tokenAad } from '../connections/token-vault';

/** Endpoint signing secrets at rest: the token key ring, AAD bound to the endpoint row (`tokens:reencrypt` moves them too). */
@Injectable()
export class WebhookSecrets {
  constructor(private readonly vault: TokenVault) {}

  seal(endpointId: number, secret: string): string {
    return this.vault.encrypt(secret, tokenAad('webhook_endpoints', endpointId, 'secret'));
  }

  open(endpointId: number, sealed: string): string {
    return this.vault.decrypt(sealed, tokenAad('webhook_endpoints', endpointId, 'secret'));
  }

  /** Null when already sealed with the current key; else the same secret sealed again with it. */
  resealed(endpointId: number, sealed: string): string | null {
    return this.vault.keyIdOf(sealed) === this.vault.currentKeyId ? null : this.seal(endpointId, this.open(endpointId, sealed));
  }

  get currentKeyId(): string {
    return this.vault.currentKeyId;
  }
}
