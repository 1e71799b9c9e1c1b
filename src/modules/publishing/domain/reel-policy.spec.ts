import { ErrorCode } from '../../../common/errors/error-codes';
import {
  canMove,
  captionFacts,
  captionProblem,
  containerVerdict,
  failureVerdict,
  isCancellable,
  nextPollDelayMs,
  quotaFreesAt,
  retryDelayMs,
  videoSource,
} from './reel-policy';

describe('reel-policy', () => {
  it.each([
    ['facebook', false, 'video_url'],
    ['instagram', false, 'video_url'],
    ['facebook', true, 'resumable'],
    ['instagram', true, 'signed_url'],
  ] as const)('should send a %s account with an upload=%s by %s', (loginType, hasUpload, expected) => {
    expect(videoSource(loginType, hasUpload)).toBe(expected);
  });

  it.each([
    ['scheduled', 'queued', true],
    ['queued', 'uploading', true],
    ['processing', 'publishing', true],
    ['publishing', 'published', true],
    ['published', 'failed', false],
    ['cancelled', 'queued', false],
    ['scheduled', 'published', false],
  ] as const)('should allow %s → %s: %s', (from, to, ok) => {
    expect(canMove(from, to)).toBe(ok);
  });

  it.each([
    ['scheduled', true],
    ['queued', true],
    ['uploading', false],
    ['publishing', false],
    ['published', false],
  ] as const)('should let a %s reel be cancelled: %s', (s, ok) => {
    expect(isCancellable(s)).toBe(ok);
  });

  it.each([
    ['Hello #coffee #acme @sam.studio', { chars: 31, hashtags: 2, mentions: 1 }],
    ['mail me at a@b.com, #1 fan', { chars: 26, hashtags: 1, mentions: 0 }],
    ['☕☕ #☕', { chars: 5, hashtags: 0, mentions: 0 }],
  ])('should count %j', (caption, facts) => {
    expect(captionFacts(caption)).toEqual(facts);
  });

  it.each([
    ['x'.repeat(2200), null],
    ['x'.repeat(2201), ErrorCode.CAPTION_TOO_LONG],
    [Array.from({ length: 30 }, (_, i) => `#t${i}`).join(' '), null],
    [Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' '), ErrorCode.TOO_MANY_HASHTAGS],
    [Array.from({ length: 21 }, (_, i) => `@u${i}`).join(' '), ErrorCode.TOO_MANY_MENTIONS],
  ])('should judge a caption of %#', (caption, code) => {
    expect(captionProblem(caption)?.code ?? null).toBe(code);
  });

  it.each([
    [0, 2000],
    [1, 4000],
    [4, 32000],
    [5, 60000],
    [50, 60000],
  ])('should wait before poll %i: %i ms', (polls, ms) => {
    expect(nextPollDelayMs(polls, 2000, 60000)).toBe(ms);
  });

  it('should back off transient failures exponentially with jitter', () => {
    expect(retryDelayMs(1, 1000, () => 0.5)).toBe(1000);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(4000);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(3000);
    expect(retryDelayMs(40, 1000, () => 0.5)).toBe(3_600_000);
  });

  describe('quotaFreesAt', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const q = { quotaUsage: 2, quotaTotal: 2, quotaDurationSeconds: 86400 };
    const h = (n: number) => new Date(now.getTime() - n * 3_600_000);
    it('should say when our oldest post in the window turns 24 h old when all posts are ours', () => {
      expect(quotaFreesAt(now, q, [h(23.5), h(2)], 3_600_000).toISOString()).toBe('2026-12-01T12:30:01.000Z');
    });
    it('should look again after the recheck when posts were made elsewhere', () => {
      expect(quotaFreesAt(now, q, [h(23.5)], 600_000).toISOString()).toBe('2026-12-01T12:10:00.000Z');
      expect(quotaFreesAt(now, q, [], 600_000).toISOString()).toBe('2026-12-01T12:10:00.000Z');
    });
    it('should never wait beyond the recheck', () => {
      expect(quotaFreesAt(now, q, [h(1), h(2)], 600_000).toISOString()).toBe('2026-12-01T12:10:00.000Z');
    });
  });

  it.each([
    ['IN_PROGRESS', 1, undefined, 'wait'],
    ['FINISHED', 1, undefined, 'publish'],
    ['PUBLISHED', 1, undefined, 'find-media'],
    ['EXPIRED', 1, undefined, 'new-container'],
    ['EXPIRED', 2, undefined, 'fail'],
    ['ERROR', 1, 2207026, 'fail'],
  ] as const)('should read container %s (container %i) as %s', (code, made, sub, action) => {
    expect(containerVerdict(code, made, sub).action).toBe(action);
  });

  it('should fail MEDIA_EXPIRED on the second expiry and MEDIA_ERROR_<subcode> on ERROR', () => {
    expect(containerVerdict('EXPIRED', 2)).toMatchObject({ code: 'MEDIA_EXPIRED' });
    expect(containerVerdict('ERROR', 1, 2207026)).toMatchObject({
      code: 'MEDIA_ERROR_2207026',
      message: expect.stringMatching(/format/),
    });
  });

  it.each([
    [{ kind: 'transient', code: 9007, subcode: 2207027 }, 'not-ready'],
    [{ kind: 'bad-request', code: 9007 }, 'not-ready'],
    [{ kind: 'quota', code: 9, subcode: 2207042 }, 'quota'],
    [{ kind: 'transient', code: 2 }, 'retry'],
    [{ kind: 'rate-limited', code: 4 }, 'retry'],
    [{ kind: 'token-invalid', code: 190, subcode: 460 }, 'reconnect'],
    [{ kind: 'permission', code: 10 }, 'app-problem'],
    [{ kind: 'permission', code: 200 }, 'app-problem'],
    [{ kind: 'permission', code: 299 }, 'app-problem'],
    [{ kind: 'bad-request', code: 352, subcode: 2207026 }, 'fail'],
  ] as const)('should handle %j as %s', (e, action) => {
    expect(failureVerdict(e).action).toBe(action);
  });
});
