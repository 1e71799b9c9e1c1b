import { createHash } from 'node:crypto';
import { ReelsModel, statusText } from './reels-state';

const IG = '17841400000000001';

function model(): { reels: ReelsModel; clock: { now: number } } {
  const clock = { now: Date.UTC(2026, 8, 1, 12) };
  return { reels: new ReelsModel(() => clock.now), clock };
}

const base = { igUserId: IG, resumable: false, videoUrl: 'https://x/a.mp4', shareToFeed: true, collaborators: [] };

describe('ReelsModel', () => {
  it('should move a video_url container from IN_PROGRESS to FINISHED after the processing time, then EXPIRED at 24 h', () => {
    const { reels, clock } = model();
    const c = reels.createContainer(base);
    expect(reels.status(c).code).toBe('IN_PROGRESS');
    clock.now += 9_999;
    expect(reels.status(c).code).toBe('IN_PROGRESS');
    clock.now += 1;
    expect(reels.status(c).code).toBe('FINISHED');
    clock.now = c.createdAt + 86_400_000;
    expect(reels.status(c).code).toBe('EXPIRED');
  });

  it('should keep a resumable container IN_PROGRESS until every byte arrived, then time its processing from there', () => {
    const { reels, clock } = model();
    const c = reels.createContainer({ ...base, resumable: true, videoUrl: undefined });
    clock.now += 3_600_000;
    expect(reels.status(c).code).toBe('IN_PROGRESS');
    const bytes = Buffer.from('hello reels');
    const up = reels.beginChunk(c, 0, bytes.length);
    expect(reels.addBytes(up, bytes.subarray(0, 5))).toBe(true);
    expect(reels.finishIfComplete(up)).toBe(false);
    expect(() => reels.beginChunk(c, 0, bytes.length)).toThrow('does not match the bytes received so far (5)');
    expect(() => reels.beginChunk(c, 5, 99)).toThrow('differs from');
    reels.beginChunk(c, 5, bytes.length);
    expect(reels.addBytes(up, Buffer.from('too many bytes'))).toBe(false);
    expect(reels.addBytes(up, bytes.subarray(5))).toBe(true);
    expect(reels.finishIfComplete(up)).toBe(true);
    expect(up.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(reels.status(c).code).toBe('IN_PROGRESS');
    clock.now += 10_000;
    expect(reels.status(c).code).toBe('FINISHED');
    expect(() => reels.beginChunk(c, bytes.length, bytes.length)).toThrow('already completed');
  });

  it('should keep a downloading video_url container IN_PROGRESS, time its processing from the last byte, and keep the hash', () => {
    const { reels, clock } = model();
    const c = reels.createContainer(base);
    reels.beginVideoFetch(c);
    clock.now += 60_000;
    expect(reels.status(c).code).toBe('IN_PROGRESS');
    reels.finishVideoFetch(c, {
      ok: true,
      httpStatus: 200,
      contentType: 'video/mp4',
      contentLength: 3,
      size: 3,
      sha256: 'abc',
    });
    expect(c.upload).toMatchObject({ fileSize: 3, sha256: 'abc', fileUrl: base.videoUrl });
    clock.now += 9_999;
    expect(reels.status(c).code).toBe('IN_PROGRESS');
    clock.now += 1;
    expect(reels.status(c).code).toBe('FINISHED');
    expect(reels.publish(c).uploadSha256).toBe('abc');
  });

  it('should turn ERROR 2207052 when the video_url could not be fetched', () => {
    const { reels } = model();
    const c = reels.createContainer(base);
    reels.beginVideoFetch(c);
    reels.finishVideoFetch(c, { ok: false, httpStatus: 403, contentType: null, contentLength: null, size: 0, sha256: null });
    const s = reels.status(c);
    expect(s).toEqual({ code: 'ERROR', failure: { subcode: 2207052 } });
    expect(statusText(s.code, s.failure)).toBe('Error: Media upload has failed with error code 2207052');
  });

  it('should need both the time and the polls when processing_polls is set', () => {
    const { reels, clock } = model();
    reels.config.processing_polls = 2;
    const c = reels.createContainer(base);
    clock.now += 10_000;
    expect(reels.status(c).code).toBe('IN_PROGRESS');
    c.polls = 2;
    expect(reels.status(c).code).toBe('FINISHED');
  });

  it('should apply a queued failure to the next container of that account only', () => {
    const { reels, clock } = model();
    reels.nextOutcomes.push({ igUserId: 'other', failure: { subcode: 2207053 } });
    const c = reels.createContainer(base);
    clock.now += 10_000;
    expect(reels.status(c).code).toBe('FINISHED');
    reels.nextOutcomes.push({ igUserId: IG, failure: { subcode: 2207052 } });
    const d = reels.createContainer(base);
    expect(reels.status(d).code).toBe('IN_PROGRESS');
    clock.now += 10_000;
    expect(reels.status(d)).toEqual({ code: 'ERROR', failure: { subcode: 2207052 } });
    expect(statusText('ERROR', { subcode: 2207052 })).toBe('Error: Media upload has failed with error code 2207052');
    expect(reels.nextOutcomes).toHaveLength(1);
  });

  it('should count publishes in the moving window and let them age out', () => {
    const { reels, clock } = model();
    const c = reels.createContainer(base);
    clock.now += 10_000;
    const m = reels.publish(c);
    expect(reels.status(c).code).toBe('PUBLISHED');
    expect(m.permalink).toBe(`https://www.instagram.com/reel/${m.shortcode}/`);
    expect(m.shortcode).toMatch(/^[\w-]{11}$/);
    expect(reels.quotaUsage(IG)).toBe(1);
    expect(reels.quotaUsage(IG, clock.now + 1)).toBe(0);
    clock.now += 86_400_000 - 1;
    expect(reels.quotaUsage(IG)).toBe(1);
    clock.now += 1;
    expect(reels.quotaUsage(IG)).toBe(0);
    expect(reels.status(c).code).toBe('PUBLISHED');
    reels.setQuotaUsed(IG, 7);
    expect(reels.quotaUsage(IG)).toBe(7);
  });
});
