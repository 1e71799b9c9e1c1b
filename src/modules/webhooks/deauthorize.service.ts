import { Injectable } from '@nestjs/common';
import type { LoginType } from '../connections/connection.repository';
import { RevokeByMeta } from '../connections/use-cases/revoke-by-meta.use-case';
import { obtainedBeforeCutoff } from './domain/signed-request-freshness';
import { MetaSignatureService } from './meta-signature.service';
import { SignedRequestReplayGuard } from './signed-request-replay.service';

/**
 * Meta's Deauthorize callback: the user removed the app at Facebook (Facebook Login), or in
 * Instagram (Instagram Login: signed with the Instagram app's secret, `user_id` an Instagram user
 * id). Only a fresh signed_request acts, once; a repeat gets the first answer. Only connections
 * made through that login whose tokens predate `issued_at` are revoked: one the user made again
 * afterwards is a new consent and stays.
 */
@Injectable()
export class DeauthorizeService {
  constructor(
    private readonly signatures: MetaSignatureService,
    private readonly revoke: RevokeByMeta,
    private readonly replays: SignedRequestReplayGuard,
  ) {}

  async deauthorize(signedRequest: unknown, loginType: LoginType = 'facebook'): Promise<{ success: true }> {
    const { raw, payload, issuedAt } = this.signatures.signedRequest(signedRequest, loginType);
    const cutoff = obtainedBeforeCutoff(issuedAt);
    const kind = loginType === 'instagram' ? 'ig_deauthorize' : 'deauthorize';
    let revoked: Awaited<ReturnType<RevokeByMeta['execute']>> = [];
    const { answer, first } = await this.replays.once(kind, raw, issuedAt, async (m) => {
      revoked = await this.revoke.execute({ loginType, id: payload.user_id }, cutoff, m);
      return { success: true as const };
    });
    // after the commit, so the observers (alerts) read the revoked rows; alerts dedupe, so a retry raises nothing twice
    if (first) await this.revoke.announce(revoked);
    return answer;
  }
}
