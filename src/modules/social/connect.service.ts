import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { ConnectionRepository, type Connection } from '../connections/connection.repository';
import { graphFailureVerdict } from '../connections/domain/graph-failure-policy';
import { TokenVault, tokenAad } from '../connections/token-vault';
import { ConnectAccounts } from '../connections/use-cases/connect-accounts.use-case';
import { GraphApiClient } from '../graph/graph-api.client';
import { GraphError } from '../graph/graph-error';
import { toAccountDto } from './account-view';
import type { CallbackQuery, CallbackResultDto, CandidateDto, LoginUrlDto } from './dto/connect.dto';
import type { OAuthProvider, OAuthStateEntity } from './oauth-state.entity';
import { OAuthStateService } from './oauth-state.service';
import { PageSubscriber } from './page-subscriber';
import { INSTAGRAM_REQUESTED_SCOPES, REQUESTED_SCOPES } from '../graph/scopes';
import { InstagramLoginClient } from '../graph/instagram-login.client';
import { instagramIssuedAt } from '../connections/domain/connection-policy';
import { FacebookLoginVerifier, type VerifiedCandidate, type VerifiedLogin } from './facebook-login.verifier';
import { InstagramLoginVerifier } from './instagram-login.verifier';

const date = (s: string | null): Date | null => (s ? new Date(s) : null);

@Injectable()
export class ConnectService {
  private readonly logger = new Logger(ConnectService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly graph: GraphApiClient,
    private readonly instagram: InstagramLoginClient,
    private readonly states: OAuthStateService,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionRepository,
    private readonly connectAccounts: ConnectAccounts,
    private readonly pageSubscriber: PageSubscriber,
    private readonly facebookLogin: FacebookLoginVerifier,
    private readonly instagramLogin: InstagramLoginVerifier,
  ) {}

  async startLogin(userId: number, accountId?: number): Promise<LoginUrlDto> {
    if (accountId !== undefined) await this.connections.findOwned(userId, accountId);
    const { state, expiresAt } = await this.states.create(userId, accountId ? 'reconnect' : 'connect', accountId ?? null);
    const loginUrl = this.graph.buildLoginUrl({
      redirectUri: this.config.facebook.redirectUri,
      state,
      scopes: REQUESTED_SCOPES,
      // renew: re-ask anything declined; connect: re-show the Page picker (Meta reuses the last choice otherwise)
      authType: accountId ? 'rerequest' : 'reauthorize',
    });
    return { login_url: loginUrl, state, expires_at: expiresAt.toISOString() };
  }

  /**
   * Instagram Login (DESIGN.md section 9): the Instagram dialog with the instagram_business_*
   * scopes, its state bound like Facebook's (same oauth_states, provider `instagram`).
   */
  async startInstagramLogin(userId: number, accountId?: number): Promise<LoginUrlDto> {
    if (!this.config.instagram.enabled) {
      throw new DomainError(
        ErrorCode.INSTAGRAM_LOGIN_DISABLED,
        'Instagram Login is not set up on this server; connect with Facebook.',
      );
    }
    if (accountId !== undefined) await this.connections.findOwned(userId, accountId);
    const { state, expiresAt } = await this.states.create(
      userId,
      accountId ? 'reconnect' : 'connect',
      accountId ?? null,
      'instagram',
    );
    const loginUrl = this.instagram.buildLoginUrl({
      redirectUri: this.config.instagram.redirectUri,
      state,
      scopes: INSTAGRAM_REQUESTED_SCOPES,
      // a renewal may be for another account than the one signed in to instagram.com in this browser
      forceReauth: accountId !== undefined,
    });
    return { login_url: loginUrl, state, expires_at: expiresAt.toISOString() };
  }

  /** A renewal (the reconnect link in alert e-mails) goes through the dialog the account was connected with. */
  async startRenewal(userId: number, accountId: number): Promise<LoginUrlDto> {
    const row = await this.connections.findOwned(userId, accountId);
    return row.loginType === 'instagram' ? this.startInstagramLogin(userId, accountId) : this.startLogin(userId, accountId);
  }

  /**
   * The OAuth callback, for the user who started the flow only (the caller's bearer is required:
   * DESIGN.md section 7). Idempotent per state: a second hit of its owner replays the first answer.
   * A state is completed only by the callback of the dialog it started (Facebook or Instagram).
   */
  async handleCallback(query: CallbackQuery, callerId: number, provider: OAuthProvider = 'facebook'): Promise<CallbackResultDto> {
    if (provider === 'instagram' && query.error && !query.state) {
      // Meta's documented Instagram denial carries no state (instagram-login.md §1): there is
      // nothing to bind and nothing to exchange; the person is told what happened.
      throw new DomainError(ErrorCode.OAUTH_DENIED, 'You cancelled the Instagram dialog; nothing was changed.', {
        reason: query.error_reason ?? query.error,
      });
    }
    const attempt = await this.findAttempt(query.state, callerId, provider);
    if (attempt.completedAt && attempt.result) return this.replay(attempt, query.state as string);
    if (attempt.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new DomainError(ErrorCode.OAUTH_STATE_EXPIRED, 'This connection attempt expired; please start again.');
    }
    if (!(await this.states.claim(attempt.id))) {
      // Another request (a double-submitted callback) is doing the work: answer with its result.
      const done = await this.states.waitForResult(attempt.id);
      if (done?.result) return this.replay(done, query.state as string);
      throw new DomainError(ErrorCode.OAUTH_STATE_INVALID, 'This connection attempt was already used; please start again.');
    }
    try {
      if (provider === 'instagram') return await this.completeInstagramLogin(attempt, query);
      const result = await this.completeLogin(attempt, query);
      return result.status === 'needs_selection' ? { ...result, state: query.state } : result;
    } catch (err) {
      const failure = err instanceof DomainError ? err : this.mapGraphFailure(err, provider);
      await this.states.complete(attempt.id, {
        status: 'failed',
        code: failure.code,
        message: failure.message,
        details: failure.details ?? null,
      });
      await this.connections.recordEvent({
        userId: attempt.userId,
        accountId: attempt.accountId,
        type: attempt.purpose,
        outcome: 'failure',
        actor: 'user',
        errorCode: failure.code,
        message: failure.message,
        error: err,
      });
      throw failure;
    }
  }

  /** The account picker's answer: connect the chosen accounts from the verified login. */
  async select(userId: number, state: string, igUserIds: string[]): Promise<CallbackResultDto> {
    const attempt = await this.findAttempt(state, userId, 'facebook');
    if (attempt.result?.status === 'connected') return this.replay(attempt, state);
    if (attempt.result?.status !== 'needs_selection') {
      throw new DomainError(ErrorCode.SELECTION_INVALID, 'There is nothing to choose for this connection attempt.');
    }
    if (attempt.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new DomainError(ErrorCode.OAUTH_STATE_EXPIRED, 'The choice expired after ten minutes; please connect again.');
    }
    const secret = await this.states.takePendingSecret(attempt.id);
    if (!secret) {
      const done = await this.states.waitForResult(attempt.id, 5000);
      if (done?.result?.status === 'connected') return this.replay(done, state);
      throw new DomainError(ErrorCode.SELECTION_INVALID, 'This choice was already made; please connect again.');
    }
    const login = JSON.parse(this.vault.decrypt(secret, tokenAad('oauth_states', attempt.id, 'pending_secret'))) as VerifiedLogin;
    const wanted = new Set(igUserIds);
    const chosen = login.candidates.filter((c) => wanted.has(c.igUserId));
    if (chosen.length !== wanted.size) {
      // put the secret back so the user can correct the choice
      await this.states.complete(attempt.id, attempt.result, secret);
      throw new DomainError(ErrorCode.SELECTION_INVALID, 'Choose among the accounts that were offered.');
    }
    return this.connectChosen(attempt, login, chosen);
  }

  // --- internals ---------------------------------------------------------------------------

  /** The caller's own attempt; anyone else's state is as good as none (nothing is exchanged). */
  private async findAttempt(state: unknown, callerId: number, provider: OAuthProvider): Promise<OAuthStateEntity> {
    const invalid = () =>
      new DomainError(ErrorCode.OAUTH_STATE_INVALID, 'This connection attempt is not valid; please start again from Settings.');
    if (typeof state !== 'string' || !state || state.length > 200) throw invalid();
    const attempt = await this.states.find(state);
    if (!attempt || attempt.userId !== callerId || attempt.provider !== provider) throw invalid();
    return attempt;
  }

  /**
   * The first answer again (a browser double-submit, a revisited URL). A connected result is
   * re-read: an account disconnected since is not "connected" any more.
   */
  private async replay(attempt: OAuthStateEntity, state: string): Promise<CallbackResultDto> {
    const result = attempt.result as Record<string, unknown>;
    if (result.status === 'failed') {
      throw new DomainError(
        result.code as ErrorCode,
        result.message as string,
        (result.details as Record<string, unknown>) ?? undefined,
      );
    }
    const dto = result as unknown as CallbackResultDto;
    if (dto.status === 'needs_selection') return { ...dto, state };
    const rows = await this.connections.findConnected(
      attempt.userId,
      (dto.accounts ?? []).map((a) => a.id),
    );
    if (!rows.length) {
      throw new DomainError(
        ErrorCode.OAUTH_STATE_INVALID,
        'This login was already used, and its account has been disconnected since; connect again from Settings.',
      );
    }
    return this.connectedResult(rows);
  }

  private connectedResult(rows: Connection[]): CallbackResultDto {
    const now = this.clock.now();
    return {
      status: 'connected',
      message: `Connected ${rows.map((r) => `@${r.instagramUsername ?? r.igUserId}`).join(', ')}.`,
      accounts: rows.map((r) => toAccountDto(r, now)),
    };
  }

  private async completeLogin(attempt: OAuthStateEntity, query: CallbackQuery): Promise<CallbackResultDto> {
    if (query.error) {
      const denied = query.error === 'access_denied' || query.error_reason === 'user_denied';
      throw new DomainError(
        ErrorCode.OAUTH_DENIED,
        denied ? 'You cancelled the Facebook dialog; nothing was changed.' : 'Facebook did not complete the login.',
        { reason: query.error_reason ?? query.error },
      );
    }
    if (typeof query.code !== 'string' || !query.code || query.code.length > 2048) {
      throw new DomainError(ErrorCode.OAUTH_CODE_INVALID, 'Facebook sent no usable authorization code; please try again.');
    }
    const login = await this.facebookLogin.verify(query.code);
    if (attempt.purpose === 'reconnect') return this.renew(attempt, login);
    if (login.candidates.length === 1) return this.connectChosen(attempt, login, login.candidates);
    const existing = await this.connections.connectedIgUserIds(attempt.userId);
    const candidates: CandidateDto[] = login.candidates.map((c) => ({
      ig_user_id: c.igUserId,
      username: c.username,
      name: c.name,
      profile_picture_url: c.profilePictureUrl,
      page_id: c.pageId,
      page_name: c.pageName,
      already_connected: existing.has(c.igUserId),
    }));
    const result = {
      status: 'needs_selection',
      message: `Facebook gave access to ${candidates.length} Instagram accounts; choose which to connect.`,
      candidates,
      expires_at: attempt.expiresAt.toISOString(),
    };
    const secret = this.vault.encrypt(JSON.stringify(login), tokenAad('oauth_states', attempt.id, 'pending_secret'));
    await this.states.complete(attempt.id, result, secret);
    return result as CallbackResultDto;
  }

  /**
   * A renewal connects only the account it was started for: a login that came back with other
   * Instagram accounts (another Facebook user, or the Page unticked) changes nothing.
   */
  private async renew(attempt: OAuthStateEntity, login: VerifiedLogin): Promise<CallbackResultDto> {
    // the account may have been deleted meanwhile (data deletion): its id is gone from the attempt
    const target = attempt.accountId
      ? await this.connections.findOwned(attempt.userId, attempt.accountId).catch(() => null)
      : null;
    if (!target) throw new DomainError(ErrorCode.ACCOUNT_NOT_FOUND, 'The account you were renewing no longer exists.');
    const renewed = login.candidates.filter((c) => c.igUserId === target.igUserId);
    if (renewed.length !== 1) {
      throw new DomainError(
        ErrorCode.WRONG_INSTAGRAM_ACCOUNT,
        `Facebook did not give access to @${target.instagramUsername ?? target.igUserId}, the account you were renewing; nothing was changed. ` +
          'Sign in to Facebook as the person who manages it and tick its Page.',
        { expected_ig_user_id: target.igUserId },
      );
    }
    return this.connectChosen(attempt, login, renewed);
  }

  /** Instagram Login: one account per login, no picker; a renewal must sign in the same account. */
  private async completeInstagramLogin(attempt: OAuthStateEntity, query: CallbackQuery): Promise<CallbackResultDto> {
    if (query.error) {
      const denied = query.error === 'access_denied' || query.error_reason === 'user_denied';
      throw new DomainError(
        ErrorCode.OAUTH_DENIED,
        denied ? 'You cancelled the Instagram dialog; nothing was changed.' : 'Instagram did not complete the login.',
        { reason: query.error_reason ?? query.error },
      );
    }
    const { profile, token, expiresAt, permissions } = await this.instagramLogin.verify(query.code);
    if (attempt.purpose === 'reconnect') {
      const target = attempt.accountId
        ? await this.connections.findOwned(attempt.userId, attempt.accountId).catch(() => null)
        : null;
      if (!target) throw new DomainError(ErrorCode.ACCOUNT_NOT_FOUND, 'The account you were renewing no longer exists.');
      if (target.igUserId !== profile.userId) {
        throw new DomainError(
          ErrorCode.WRONG_INSTAGRAM_ACCOUNT,
          `Instagram signed in @${profile.username}, not @${target.instagramUsername ?? target.igUserId}, the account you were renewing; nothing was changed. ` +
            'Log in to Instagram as that account and try again.',
          { expected_ig_user_id: target.igUserId },
        );
      }
    }
    const rows = await this.connectAccounts.execute(attempt.userId, [
      {
        loginType: 'instagram',
        igUserId: profile.userId,
        igScopedUserId: profile.scopedId,
        username: profile.username,
        name: profile.name,
        profilePictureUrl: profile.profilePictureUrl,
        pageId: null,
        pageName: null,
        fbUserId: null,
        userToken: null,
        pageToken: token,
        userTokenExpiresAt: expiresAt,
        pageTokenExpiresAt: null,
        dataAccessExpiresAt: null,
        issuedAt: instagramIssuedAt(expiresAt),
        permissions,
      },
    ]);
    const result = this.connectedResult(rows);
    await this.states.complete(attempt.id, result as unknown as Record<string, unknown>);
    return result;
  }

  /** A Graph failure during a login: the one table says what the person is told. */
  private mapGraphFailure(err: unknown, provider: OAuthProvider): DomainError {
    if (err instanceof GraphError) {
      const verdict = graphFailureVerdict(err, provider);
      return new DomainError(
        verdict.callerCode,
        verdict.callerMessage,
        verdict.callerCode === ErrorCode.PERMISSIONS_DECLINED ? { declined: [] } : undefined,
      );
    }
    this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'connect failed');
    return new DomainError(ErrorCode.INTERNAL_ERROR, 'Something went wrong on our side.');
  }

  private async connectChosen(
    attempt: OAuthStateEntity,
    login: VerifiedLogin,
    chosen: VerifiedCandidate[],
  ): Promise<CallbackResultDto> {
    const rows = await this.connectAccounts.execute(
      attempt.userId,
      chosen.map((c) => ({
        igUserId: c.igUserId,
        username: c.username,
        name: c.name,
        profilePictureUrl: c.profilePictureUrl,
        pageId: c.pageId,
        pageName: c.pageName,
        fbUserId: login.fbUserId,
        userToken: login.userToken,
        pageToken: c.pageToken,
        userTokenExpiresAt: date(login.userTokenExpiresAt),
        pageTokenExpiresAt: date(c.pageTokenExpiresAt),
        dataAccessExpiresAt: date(login.dataAccessExpiresAt),
        issuedAt: date(login.issuedAt),
        permissions: login.granted,
      })),
    );
    const result = this.connectedResult(rows);
    await this.states.complete(attempt.id, result as unknown as Record<string, unknown>);
    for (const row of rows) void this.pageSubscriber.subscribe(row.id);
    return result;
  }
}
