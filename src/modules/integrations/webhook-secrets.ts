import { Injectable } from '@nestjs/common';
import { TokenVault, tokenAad } from '../connections/token-vault';

/** Endpoint signing secrets at rest: the token key ring, AAD bound to the endpoint row (rotates with `tokens:reencrypt`'s keys). */
@Injectable()
export class WebhookSecrets {
  constructor(private readonly vault: TokenVault) {}

  seal(endpointId: number, secret: string): string {
    return this.vault.encrypt(secret, tokenAad('webhook_endpoints', endpointId, 'secret'));
  }

  open(endpointId: number, sealed: string): string {
    return this.vault.decrypt(sealed, tokenAad('webhook_endpoints', endpointId, 'secret'));
  }
}
