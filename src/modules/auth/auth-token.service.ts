import { createSecretKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AuthUser } from './auth.decorators';

interface Claims {
  sub: string;
  email: string;
  role: AuthUser['role'];
  typ: string;
  ver?: number;
}

/** What a valid signature proves: who the token was issued to and under which token version. */
export interface VerifiedToken {
  id: number;
  email: string;
  /** The user's `token_version` when the token was issued (tokens from before versioning count as 0). */
  version: number;
}

/**
 * Issues and verifies the API's own bearer tokens: HS256 only, with issuer, audience and type checked.
 * A valid signature is not enough to be let in: SessionAuthenticator then checks the user's row.
 */
@Injectable()
export class AuthTokenService {
  /**
   * The HMAC key as a KeyObject, built once: given a string, jsonwebtoken first tries to parse it
   * as a PEM public key on every verify (and throws), which cost ~1 ms of CPU per request.
   */
  private readonly key: KeyObject;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    this.key = createSecretKey(Buffer.from(config.secretKey, 'utf8'));
  }

  /**
   * `role` is informational for clients (the API reads the role from PostgreSQL); `ver` is the
   * user's token_version, so bumping it (POST /auth/logout-all) invalidates the token.
   */
  issue(user: AuthUser & { tokenVersion?: number }): { token: string; expiresIn: number } {
    const expiresIn = this.config.jwt.expiresInSeconds;
    const token = this.jwt.sign(
      { sub: String(user.id), email: user.email, role: user.role, typ: 'access', ver: user.tokenVersion ?? 0 },
      {
        secret: this.key as unknown as string, // jsonwebtoken accepts a KeyObject; @nestjs/jwt's type does not say so
        algorithm: 'HS256',
        expiresIn,
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
      },
    );
    return { token, expiresIn };
  }

  verify(token: string): VerifiedToken {
    try {
      const claims = this.jwt.verify<Claims>(token, {
        secret: this.key as unknown as string,
        algorithms: ['HS256'],
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
      });
      const id = Number(claims.sub);
      const version = claims.ver ?? 0;
      if (claims.typ !== 'access' || !Number.isInteger(id) || !Number.isInteger(version)) throw new Error('bad claims');
      return { id, email: claims.email, version };
    } catch {
      throw new DomainError(ErrorCode.AUTH_TOKEN_INVALID, 'Your session is invalid or has expired; please sign in again.');
    }
  }
}
