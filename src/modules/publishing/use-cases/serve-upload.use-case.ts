import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { AppConfig } from '../../../config/app-config';
import { ReelRepository } from '../reel.repository';
import { UploadUrls } from '../upload-urls';

/** The file an upload URL opens. */
export interface ServedUpload {
  path: string;
  size: number;
  contentType: string;
}

/**
 * `GET /media/uploads/:id?exp&sig` (DESIGN.md §8): Meta fetches an Instagram-Login account's
 * upload here. No bearer: the signature is the credential. A forged or altered URL is a 403
 * UPLOAD_URL_INVALID and an expired one a 403 UPLOAD_URL_EXPIRED, both before the database is
 * asked; an upload whose file was deleted (its reel is done, or it expired unused) is a 404
 * UPLOAD_NOT_FOUND.
 */
@Injectable()
export class ServeUpload {
  constructor(
    private readonly reels: ReelRepository,
    private readonly urls: UploadUrls,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async execute(uploadId: string, exp: unknown, sig: unknown): Promise<ServedUpload> {
    switch (this.urls.check(uploadId, exp, sig, this.clock.now())) {
      case 'invalid':
        throw new DomainError(ErrorCode.UPLOAD_URL_INVALID, 'This upload URL is not valid.');
      case 'expired':
        throw new DomainError(ErrorCode.UPLOAD_URL_EXPIRED, 'This upload URL has expired.');
      case 'ok':
        break;
    }
    const upload = await this.reels.findUpload(uploadId);
    if (!upload || upload.deletedAt) throw new DomainError(ErrorCode.UPLOAD_NOT_FOUND, 'This upload is no longer available.');
    return { path: join(this.config.uploads.dir, upload.fileName), size: Number(upload.size), contentType: upload.contentType };
  }
}
