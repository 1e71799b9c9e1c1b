import type { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AppConfig } from '../../config/app-config';
import { buildSignedRequest } from './domain/signed-request';
import { MetaSignatureService } from './meta-signature.service';

describe('MetaSignatureService.signedRequest', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const clock: Clock = { now: () => now };
  const config = (instagramEnabled: boolean): AppConfig =>
    ({
      facebook: { appSecret: 'facebook-secret' },
      instagram: { enabled: instagramEnabled, appSecret: 'instagram-secret' },
    }) as unknown as AppConfig;
  const signed = (secret: string): string =>
    buildSignedRequest({ user_id: '25763909063200101', algorithm: 'HMAC-SHA256', issued_at: now.getTime() / 1000 }, secret);
  const codeOf = (fn: () => unknown): ErrorCode | undefined => {
    try {
      fn();
      return undefined;
    } catch (e) {
      return e instanceof DomainError ? e.code : undefined;
    }
  };

  it('should check each login with its own app secret', () => {
    const s = new MetaSignatureService(config(true), clock);
    expect(s.signedRequest(signed('facebook-secret')).payload.user_id).toBe('25763909063200101');
    expect(s.signedRequest(signed('instagram-secret'), 'instagram').payload.user_id).toBe('25763909063200101');
    expect(codeOf(() => s.signedRequest(signed('instagram-secret')))).toBe(ErrorCode.SIGNED_REQUEST_INVALID);
    expect(codeOf(() => s.signedRequest(signed('facebook-secret'), 'instagram'))).toBe(ErrorCode.SIGNED_REQUEST_INVALID);
  });

  it('should answer INSTAGRAM_LOGIN_DISABLED, and check nothing, when no Instagram app is configured', () => {
    const s = new MetaSignatureService(config(false), clock);
    expect(codeOf(() => s.signedRequest(signed('instagram-secret'), 'instagram'))).toBe(ErrorCode.INSTAGRAM_LOGIN_DISABLED);
    expect(s.signedRequest(signed('facebook-secret')).payload.algorithm).toBe('HMAC-SHA256');
  });
});
