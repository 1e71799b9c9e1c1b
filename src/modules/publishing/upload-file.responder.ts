import { resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { ServedUpload } from './use-cases/serve-upload.use-case';

type SendError = NodeJS.ErrnoException & { status?: number };

/**
 * Streams an upload's file with its Content-Type and Content-Length, and single byte ranges
 * (`Range: bytes=a-b` → 206 with Content-Range; one past the end → 416 RANGE_NOT_SATISFIABLE),
 * through Express's sendFile (the `send` module), never reading it into memory. No validators
 * (ETag, Last-Modified) are offered, so preconditions on them are dropped rather than failed. A
 * file deleted between the check and the read (its reel just finished) is a 404 UPLOAD_NOT_FOUND.
 */
@Injectable()
export class UploadFileResponder {
  async send(served: Promise<ServedUpload>, req: Request, res: Response): Promise<void> {
    const file = await served;
    delete req.headers['if-match'];
    delete req.headers['if-unmodified-since'];
    await new Promise<void>((done, fail) => {
      res.sendFile(
        resolve(file.path),
        {
          headers: { 'Content-Type': file.contentType, 'Cache-Control': 'private, no-store' },
          acceptRanges: true,
          cacheControl: false,
          etag: false,
          lastModified: false,
          // UPLOAD_DIR may sit under a dot-directory (.data/uploads)
          dotfiles: 'allow',
        },
        (err?: SendError) => {
          if (!err) return done();
          if (res.headersSent) return done(); // the client went away mid-file: nothing left to answer
          // the error is answered as JSON: not under the video's type
          res.removeHeader('Content-Type');
          if (err.status === 416)
            return fail(new DomainError(ErrorCode.RANGE_NOT_SATISFIABLE, `The file has ${file.size} bytes.`));
          if (err.code === 'ENOENT' || err.status === 404)
            return fail(new DomainError(ErrorCode.UPLOAD_NOT_FOUND, 'This upload is no longer available.'));
          fail(err);
        },
      );
    });
  }
}
