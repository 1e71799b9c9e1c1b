import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import busboy from 'busboy';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { AppConfig } from '../../../config/app-config';
import type { UploadDto } from '../dto/reel.dto';
import { ReelRepository } from '../reel.repository';

export const UPLOAD_TYPES = ['video/mp4', 'video/quicktime'];

/** An incoming HTTP request as far as an upload is concerned. */
export interface UploadRequest extends Readable {
  headers: IncomingHttpHeaders;
}

/**
 * `POST /social/uploads` (DESIGN.md §8): streams the multipart field `file` to UPLOAD_DIR under
 * a random name (never into memory), hashing and counting as it goes; too large → 413 and the
 * partial file is removed; another type → 415. The worker later sends it with Meta's resumable
 * upload (Facebook Login), or has Meta fetch it from a signed, expiring URL (Instagram Login:
 * ServeUpload); the file is deleted after publish, failure or expiry.
 */
@Injectable()
export class StoreUpload {
  constructor(
    private readonly reels: ReelRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async execute(userId: number, req: UploadRequest): Promise<UploadDto> {
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? ''))
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Send the video as multipart/form-data in the field "file".');
    const max = this.config.uploads.maxBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    // multipart framing adds a few hundred bytes; far beyond the limit is refused before reading
    if (Number.isFinite(declared) && declared > max + 64 * 1024)
      throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `The video is larger than ${max} bytes.`);
    await mkdir(this.config.uploads.dir, { recursive: true });
    const id = randomUUID();
    const fileName = `${id}.video`;
    const path = join(this.config.uploads.dir, fileName);
    let stored: { size: number; sha256: string; contentType: string } | null = null;
    try {
      stored = await this.receive(req, path, max);
    } catch (err) {
      await unlink(path).catch(() => undefined);
      req.resume(); // drain what is left so the answer reaches the client
      throw err;
    }
    const now = this.clock.now();
    const upload = await this.reels.insertUpload({
      id,
      userId,
      fileName,
      size: String(stored.size),
      contentType: stored.contentType,
      sha256: stored.sha256,
      expiresAt: new Date(now.getTime() + this.config.uploads.ttlMs),
    });
    return {
      upload_id: upload.id,
      size: stored.size,
      content_type: upload.contentType,
      expires_at: upload.expiresAt.toISOString(),
    };
  }

  private receive(req: UploadRequest, path: string, max: number): Promise<{ size: number; sha256: string; contentType: string }> {
    return new Promise((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: max, fields: 5, parts: 6 } });
      } catch {
        reject(new DomainError(ErrorCode.VALIDATION_FAILED, 'Malformed multipart body.'));
        return;
      }
      let saving: Promise<{ size: number; sha256: string; contentType: string }> | null = null;
      bb.on('file', (name, file, info) => {
        if (name !== 'file' || saving) {
          file.resume();
          return;
        }
        const contentType = info.mimeType.toLowerCase();
        if (!UPLOAD_TYPES.includes(contentType)) {
          file.resume();
          saving = Promise.reject(
            new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Only video/mp4 and video/quicktime videos can be uploaded.'),
          );
          saving.catch(() => undefined);
          return;
        }
        const hash = createHash('sha256');
        let size = 0;
        let truncated = false;
        file.on('limit', () => {
          truncated = true;
        });
        const count = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            size += chunk.length;
            hash.update(chunk);
            cb(null, chunk);
          },
        });
        saving = pipeline(file, count, createWriteStream(path, { flags: 'wx', mode: 0o600 })).then(() => {
          if (truncated || file.truncated)
            throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `The video is larger than ${max} bytes.`);
          if (size === 0) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The file is empty.');
          return { size, sha256: hash.digest('hex'), contentType };
        });
        saving.catch(() => undefined);
      });
      bb.on('error', () => reject(new DomainError(ErrorCode.VALIDATION_FAILED, 'Malformed multipart body.')));
      bb.on('close', () => {
        if (!saving) reject(new DomainError(ErrorCode.VALIDATION_FAILED, 'Send the video in the multipart field "file".'));
        else saving.then(resolve, reject);
      });
      req.on('aborted', () => reject(new DomainError(ErrorCode.VALIDATION_FAILED, 'The upload was interrupted.')));
      req.pipe(bb);
    });
  }
}
