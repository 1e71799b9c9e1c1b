import { hkdfSync } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { checkUploadUrl, signUploadUrl, type UploadUrlVerdict } from './domain/upload-url';

/**
 * Signs and checks the URLs Meta fetches Instagram-Login uploads from (domain/upload-url.ts).
 * The key is derived from SECRET_KEY (like the reconnect links' and the lockout's), so the worker
 * that signs and the api that serves agree without a new secret; a new SECRET_KEY voids every
 * URL not yet fetched. A URL is a credential: it is handed to Meta only, never logged (the `sig`
 * query parameter is redacted from access logs), stored or returned by the API.
 */
@Injectable()
export class UploadUrls {
  private readonly key: Buffer;

  constructor(private readonly config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.secretKey, 'autoreels', 'upload-url', 32));
  }

  /** `PUBLIC_API_URL/media/uploads/<id>?exp=…&sig=…`, open until an hour from `now`. */
  signedUrl(uploadId: string, now: Date): string {
    const { exp, sig } = signUploadUrl(this.key, uploadId, now);
    return `${this.config.publicApiUrl}/media/uploads/${uploadId}?exp=${exp}&sig=${sig}`;
  }

  check(uploadId: string, exp: unknown, sig: unknown, now: Date): UploadUrlVerdict {
    return checkUploadUrl(this.key, uploadId, exp, sig, now);
  }
}
