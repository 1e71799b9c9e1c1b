import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthTokenService } from './auth-token.service';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { LoginLockout } from './login-lockout';
import { SessionAuthenticator } from './session-authenticator';
import { UserAuthCache } from './user-auth-cache';
import { UserEntity } from './user.entity';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, ApiKeyEntity]), JwtModule.register({})],
  controllers: [AuthController, ApiKeysController],
  providers: [
    AuthService,
    AuthTokenService,
    UserAuthCache,
    SessionAuthenticator,
    ApiKeyAuthenticator,
    ApiKeysService,
    LoginLockout,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AuthTokenService, SessionAuthenticator],
})
export class AuthModule {}
