import { Injectable } from '@nestjs/common';
import { RevokeByMeta } from '../connections/use-cases/revoke-by-meta.use-case';
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
    private readonly revoke: RevokeByMeta,
    private readonly replays: SignedRequestReplayGuard,
  ) {}

  async deauthorize(signedRequest: unknown): Promise<{ success: true }> {
    const { raw, payload, issuedAt } = this.signatures.signedRequest(signedRequest);
    const cutoff = obtainedBeforeCutoff(issuedAt);
    let revoked: Awaited<ReturnType<RevokeByMeta['execute']>> = [];
    const { answer, first } = await this.replays.once('deauthorize', raw, issuedAt, async (m) => {
      revoked = await this.revoke.execute(payload.user_id, cutoff, m);
      return { success: true as const };
    });
    // after the commit, so the observers (alerts) read the revoked rows; alerts dedupe, so a retry raises nothing twice
    if (first) await this.revoke.announce(revoked);
    return answer;
  }
}
