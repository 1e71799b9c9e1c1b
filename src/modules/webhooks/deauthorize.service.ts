import { Injectable } from '@nestjs/common';
import { ConnectionRevoker } from './connection-revoker.service';
import { obtainedBeforeCutoff } from './domain/signed-request-freshness';
import { MetaSignatureService } from './meta-signature.service';
import { SignedRequestReplayGuard } from './signed-request-replay.service';

/**
 * Meta's Deauthorize callback: the user removed the app at Facebook. Only a fresh signed_request
 * acts, once; a repeat gets the first answer. Only connections whose tokens predate `issued_at`
 * are revoked: one the user made again afterwards is a new consent and stays.
 */
@Injectable()
export class DeauthorizeService {
  constructor(
    private readonly signatures: MetaSignatureService,
    private readonly revoker: ConnectionRevoker,
    private readonly replays: SignedRequestReplayGuard,
  ) {}

  async deauthorize(signedRequest: unknown): Promise<{ success: true }> {
    const { raw, payload, issuedAt } = this.signatures.signedRequest(signedRequest);
    const cutoff = obtainedBeforeCutoff(issuedAt);
    const { answer, first } = await this.replays.once('deauthorize', raw, issuedAt, async (m) => {
      await this.revoker.revokeAll(payload.user_id, cutoff, m);
      return { success: true as const };
    });
    // after the commit, so the alert rules read the revoked rows (alerts dedupe: a retry raises nothing twice)
    if (first) await this.revoker.raiseRevokedAlerts(payload.user_id);
    return answer;
  }
}
