import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { secretsEqual, verifyHubSignature } from './domain/hub-signature';
import { verifySignedRequest, type SignedRequestPayload } from './domain/signed-request';

/** Checks that a callback really comes from Meta, with the app secret from validated config. */
@Injectable()
export class MetaSignatureService {
  constructor(private readonly config: AppConfig) {}

  /** The payload of a valid `signed_request`, else SIGNED_REQUEST_INVALID (400). */
  signedRequest(input: unknown): SignedRequestPayload {
    const result = verifySignedRequest(input, this.config.facebook.appSecret);
    if (!result.ok)
      throw new DomainError(ErrorCode.SIGNED_REQUEST_INVALID, 'The signed_request is missing, malformed or not signed by Meta.');
    return result.payload;
  }

  /** X-Hub-Signature-256 over the raw bytes, else WEBHOOK_SIGNATURE_INVALID (401). */
  hubSignature(raw: Buffer | undefined, header: unknown): Buffer {
    if (!raw || !verifyHubSignature(raw, header, this.config.facebook.appSecret)) {
      throw new DomainError(
        ErrorCode.WEBHOOK_SIGNATURE_INVALID,
        'The X-Hub-Signature-256 header is missing or does not match the body.',
      );
    }
    return raw;
  }

  /** The subscription handshake: echo the challenge only when the verify token matches. */
  subscriptionChallenge(mode: unknown, token: unknown, challenge: unknown): string {
    const expected = this.config.facebook.webhookVerifyToken;
    if (!expected || mode !== 'subscribe' || typeof token !== 'string' || !secretsEqual(token, expected)) {
      throw new DomainError(
        ErrorCode.WEBHOOK_VERIFY_TOKEN_MISMATCH,
        'hub.mode must be "subscribe" and hub.verify_token must match.',
      );
    }
    if (typeof challenge !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(challenge)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'hub.challenge is required.');
    }
    return challenge;
  }
}
