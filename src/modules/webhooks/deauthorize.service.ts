import { Injectable } from '@nestjs/common';
import { ConnectionRevoker } from './connection-revoker.service';
import { MetaSignatureService } from './meta-signature.service';

/** Meta's Deauthorize callback: the user removed the app at Facebook. */
@Injectable()
export class DeauthorizeService {
  constructor(
    private readonly signatures: MetaSignatureService,
    private readonly revoker: ConnectionRevoker,
  ) {}

  async deauthorize(signedRequest: unknown): Promise<{ success: true }> {
    const { user_id } = this.signatures.signedRequest(signedRequest);
    await this.revoker.revokeAll(user_id);
    return { success: true };
  }
}
