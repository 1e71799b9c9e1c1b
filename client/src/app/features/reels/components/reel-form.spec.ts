import { HttpEventType } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';

import { TokenStore } from '../../../core/auth/token.store';
import { byTestId, settle } from '../../../testing/dom';
import { aReel, anUpload } from '../../../testing/reels.fixtures';
import { TEST_API, TEST_NOW, provideTestApp } from '../../../testing/test-providers';
import type { Reel } from '../data/reels.model';
import { NEW_IDEMPOTENCY_KEY } from '../data/reels-tokens';
import { ReelForm } from './reel-form';
import { toLocalInputValue } from './reel-view';

describe('ReelForm', () => {
  let fixture: ComponentFixture<ReelForm>;
  let httpMock: HttpTestingController;
  let el: HTMLElement;
  let submitted: Reel[];
  let keys: string[];

  const field = <T extends HTMLElement>(id: string): T => {
    const found = byTestId<T>(el, id);
    if (!found) throw new Error(`no [data-testid="${id}"] on screen`);
    return found;
  };
  const text = (id: string): string => field(id).textContent!.replace(/\s+/g, ' ').trim();

  async function type(id: string, value: string): Promise<void> {
    const input = field<HTMLInputElement | HTMLTextAreaElement>(id);
    input.value = value;
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new Event('change'));
    input.dispatchEvent(new Event('blur'));
    await settle(fixture);
  }

  async function chooseFile(file: File): Promise<void> {
    field<HTMLInputElement>('reel-source-file').click();
    await settle(fixture);
    const input = field<HTMLInputElement>('reel-file');
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change'));
    await settle(fixture);
  }

  async function submit(): Promise<void> {
    field<HTMLButtonElement>('reel-submit').click();
    await settle(fixture);
  }

  beforeEach(async () => {
    localStorage.clear();
    let n = 0;
    keys = [];
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        {
          provide: NEW_IDEMPOTENCY_KEY,
          useValue: () => {
            const k = `key-${++n}`;
            keys.push(k);
            return k;
          },
        },
      ],
    });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ReelForm);
    fixture.componentRef.setInput('accountId', 1);
    submitted = [];
    fixture.componentInstance.submitted.subscribe((r) => submitted.push(r));
    el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);
    await settle(fixture);
  });

  afterEach(() => {
    httpMock.verify();
    el.remove();
  });

  describe('caption', () => {
    it('should count characters as a person does and hashtags as the API does when typing', async () => {
      expect(text('caption-count')).toBe('0 / 2,200 characters · 0 hashtags');
      // an emoji is one character; "#1" inside a word ("C#1") and "&#39;" are not hashtags
      await type('reel-caption', 'Fresh roast ☕ #coffee C#1 &#39; #1');
      expect(text('caption-count')).toBe('34 / 2,200 characters · 2 hashtags');
      await type('reel-caption', '#one');
      expect(text('caption-count')).toBe('4 / 2,200 characters · 1 hashtag');
    });

    it('should warn above 5 hashtags, but still allow publishing, when Instagram would hide some', async () => {
      await type('reel-caption', '#a #b #c #d #e');
      expect(byTestId(el, 'caption-hashtag-warning')).toBeNull();
      await type('reel-caption', '#a #b #c #d #e #f');
      expect(text('caption-hashtag-warning')).toContain(
        'Instagram shows at most 5 hashtags on a post since December 2025',
      );
      expect(byTestId(el, 'caption-error')).toBeNull();

      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await submit();
      const req = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(req.request.body.caption).toBe('#a #b #c #d #e #f');
      req.flush(aReel(), { status: 202, statusText: 'Accepted' });
      await settle(fixture);
    });

    it('should refuse to send a caption above 2,200 characters and say why', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await type('reel-caption', 'x'.repeat(2201));
      expect(text('caption-count')).toContain('2,201 / 2,200 characters');
      expect(text('caption-error')).toBe(
        'The caption is too long: Instagram allows 2,200 characters.',
      );
      await submit();
      httpMock.expectNone(`${TEST_API}/social/reels`);
      expect(document.activeElement).toBe(field('reel-caption'));
    });

    it('should refuse more than 30 hashtags, replacing the warning with the error', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
      await type('reel-caption', tags);
      expect(text('caption-error')).toBe('The caption has too many hashtags: Instagram allows 30.');
      expect(byTestId(el, 'caption-hashtag-warning')).toBeNull();
      await submit();
      httpMock.expectNone(`${TEST_API}/social/reels`);
    });
  });

  describe('validation', () => {
    it('should ask for the video address when publishing with none', async () => {
      await submit();
      expect(text('reel-video-url-error')).toBe("Enter the video's address.");
      expect(field('reel-video-url').getAttribute('aria-invalid')).toBe('true');
      httpMock.expectNone(`${TEST_API}/social/reels`);
    });

    it.each(['http://cdn.example.com/a.mp4', 'cdn.example.com/a.mp4', 'https://'])(
      'should ask for an https address when the URL is %s',
      async (url) => {
        await type('reel-video-url', url);
        expect(text('reel-video-url-error')).toBe(
          'Use a public https:// address that Instagram can download.',
        );
        await submit();
        httpMock.expectNone(`${TEST_API}/social/reels`);
      },
    );

    it('should ask for a file, then refuse one that is not MP4 or MOV, when uploading', async () => {
      field<HTMLInputElement>('reel-source-file').click();
      await settle(fixture);
      await submit();
      expect(text('reel-file-error')).toBe('Choose a video file.');
      await chooseFile(new File(['GIF89a'], 'cat.gif', { type: 'image/gif' }));
      expect(text('reel-file-error')).toBe('Only MP4 and MOV videos can be uploaded.');
      await submit();
      httpMock.expectNone(`${TEST_API}/social/uploads`);
    });

    it.each([
      [-60, 'Choose a time in the future, or leave it empty to publish now.'],
      [76 * 24 * 60, 'A reel can be scheduled at most 75 days ahead.'],
    ])('should refuse a publish time %i minutes from now', async (minutes, message) => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await type(
        'reel-publish-at',
        toLocalInputValue(new Date(TEST_NOW.getTime() + minutes * 60_000)),
      );
      expect(text('reel-publish-at-error')).toBe(message);
      await submit();
      httpMock.expectNone(`${TEST_API}/social/reels`);
    });
  });

  describe('submit', () => {
    it('should send one request with an Idempotency-Key even when Publish is clicked twice', async () => {
      await type('reel-video-url', '  https://cdn.example.com/launch.mp4 ');
      await type('reel-caption', 'New roast #coffee');
      field<HTMLButtonElement>('reel-submit').click();
      field<HTMLButtonElement>('reel-submit').click();
      await settle(fixture);
      expect(field<HTMLButtonElement>('reel-submit').disabled).toBe(true);
      expect(text('reel-submit')).toBe('Sending…');

      const req = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(req.request.method).toBe('POST');
      expect(req.request.headers.get('Idempotency-Key')).toBe('key-1');
      expect(req.request.headers.get('Authorization')).toBe('Bearer jwt');
      expect(req.request.body).toEqual({
        account_id: 1,
        video_url: 'https://cdn.example.com/launch.mp4',
        caption: 'New roast #coffee',
        share_to_feed: true,
      });
      req.flush(aReel({ id: 41 }), { status: 202, statusText: 'Accepted' });
      await settle(fixture);

      expect(submitted.map((r) => r.id)).toEqual([41]);
      // ready for the next reel: empty fields, and the button says what it does again
      expect(field<HTMLInputElement>('reel-video-url').value).toBe('');
      expect(field<HTMLTextAreaElement>('reel-caption').value).toBe('');
      expect(text('reel-submit')).toBe('Publish Reel');
      expect(byTestId(el, 'reel-video-url-error')).toBeNull();
    });

    it('should send share_to_feed false and the chosen time as ISO when scheduling', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      field<HTMLInputElement>('reel-share-to-feed').click();
      const at = new Date(TEST_NOW.getTime() + 2 * 86_400_000);
      at.setSeconds(0, 0);
      await type('reel-publish-at', toLocalInputValue(at));
      expect(text('reel-submit')).toBe('Schedule Reel');
      await submit();
      const req = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(req.request.body).toEqual({
        account_id: 1,
        video_url: 'https://cdn.example.com/launch.mp4',
        share_to_feed: false,
        publish_at: at.toISOString(),
      });
      req.flush(aReel({ status: 'scheduled' }), { status: 202, statusText: 'Accepted' });
      await settle(fixture);
    });

    it('should reuse the key when retrying the same reel and take a new one after an edit', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await submit();
      httpMock
        .expectOne(`${TEST_API}/social/reels`)
        .error(new ProgressEvent('error'), { status: 0 });
      await settle(fixture);
      expect(text('reel-form-error')).toMatch(/^Can't reach the server/);
      expect(field<HTMLInputElement>('reel-video-url').value).toBe(
        'https://cdn.example.com/launch.mp4',
      );

      // the answer was lost, maybe not the request: the same key makes the API return that reel
      await submit();
      const retry = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(retry.request.headers.get('Idempotency-Key')).toBe('key-1');
      retry.flush(
        { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'x' },
        { status: 503, statusText: 'Unavailable' },
      );
      await settle(fixture);

      await type('reel-caption', 'now with a caption');
      await submit();
      const edited = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(edited.request.headers.get('Idempotency-Key')).toBe('key-2');
      edited.flush(aReel(), { status: 202, statusText: 'Accepted' });
      await settle(fixture);
      expect(submitted).toHaveLength(1);
    });

    it.each([
      [409, 'NEEDS_RECONNECT', 'Facebook no longer accepts this connection.'],
      [403, 'PERMISSION_MISSING', 'AutoReels may not publish to this account.'],
      [400, 'TOO_MANY_HASHTAGS', 'The caption has too many hashtags: Instagram allows 30.'],
    ])(
      'should show the sentence for %i %s and keep what was typed',
      async (status, code, shown) => {
        await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
        await type('reel-caption', 'keep me');
        await submit();
        httpMock
          .expectOne(`${TEST_API}/social/reels`)
          .flush(
            { statusCode: status, code, message: 'server words' },
            { status, statusText: 'E' },
          );
        await settle(fixture);
        expect(text('reel-form-error')).toContain(shown);
        expect(field<HTMLTextAreaElement>('reel-caption').value).toBe('keep me');
        expect(field<HTMLButtonElement>('reel-submit').disabled).toBe(false);
        expect(submitted).toEqual([]);
      },
    );
  });

  describe('more options', () => {
    async function openMore(): Promise<void> {
      field<HTMLButtonElement>('reel-more-toggle').click();
      await settle(fixture);
    }

    it('should keep the options folded away until asked, and say so to assistive technology', async () => {
      const toggle = field<HTMLButtonElement>('reel-more-toggle');
      expect(toggle.getAttribute('aria-expanded')).toBe('false');
      expect(toggle.getAttribute('aria-controls')).toBe('reel-more-options');
      expect(byTestId(el, 'reel-more-options')).toBeNull();
      await openMore();
      expect(toggle.getAttribute('aria-expanded')).toBe('true');
      expect(
        el.querySelector('#reel-more-options [data-testid="reel-more-options"]'),
      ).not.toBeNull();
      expect(field<HTMLInputElement>('reel-cover-auto').checked).toBe(true);
      expect(byTestId(el, 'reel-cover-url')).toBeNull();
      expect(byTestId(el, 'reel-thumb-seconds')).toBeNull();
    });

    it('should send the cover image, the audio name and the collaborators without their "@"', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await openMore();
      field<HTMLInputElement>('reel-cover-image').click();
      await settle(fixture);
      await type('reel-cover-url', ' https://cdn.example.com/cover.jpg ');
      await type('reel-audio-name', ' Acme morning mix ');
      await type('reel-collaborators', '@acme.roastery, bean_team @ACME.roastery');
      // folded again, the screen still says what will be sent
      field<HTMLButtonElement>('reel-more-toggle').click();
      await settle(fixture);
      expect(text('reel-more-summary')).toBe('Set: cover image, audio name, 2 collaborators');
      await submit();
      const req = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(req.request.body).toEqual({
        account_id: 1,
        video_url: 'https://cdn.example.com/launch.mp4',
        share_to_feed: true,
        cover_url: 'https://cdn.example.com/cover.jpg',
        audio_name: 'Acme morning mix',
        collaborators: ['acme.roastery', 'bean_team'],
      });
      req.flush(aReel(), { status: 202, statusText: 'Accepted' });
      await settle(fixture);
      expect(submitted).toHaveLength(1);
      // the next reel starts plain
      expect(byTestId(el, 'reel-more-summary')).toBeNull();
    });

    it('should send a cover frame in milliseconds, and no cover image, when a frame is chosen', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await openMore();
      field<HTMLInputElement>('reel-cover-image').click();
      await settle(fixture);
      await type('reel-cover-url', 'https://cdn.example.com/cover.jpg');
      field<HTMLInputElement>('reel-cover-frame').click();
      await settle(fixture);
      await type('reel-thumb-seconds', '2.5');
      await submit();
      const req = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(req.request.body).toEqual({
        account_id: 1,
        video_url: 'https://cdn.example.com/launch.mp4',
        share_to_feed: true,
        thumb_offset: 2500,
      });
      req.flush(aReel(), { status: 202, statusText: 'Accepted' });
      await settle(fixture);
    });

    it.each([
      [
        'reel-collaborators',
        '@a @b @c @d',
        'Invite at most 3 collaborators; Instagram allows no more.',
      ],
      [
        'reel-collaborators',
        'acme, bean-team',
        '"bean-team" is not an Instagram username: use up to 30 letters, numbers, periods and underscores.',
      ],
      ['reel-audio-name', 'a'.repeat(256), 'The audio name is too long: at most 255 characters.'],
    ])('should refuse %s %j as the API would, saying why', async (id, value, message) => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await openMore();
      await type(id, value);
      expect(text(`${id}-error`)).toBe(message);
      expect(field(id).getAttribute('aria-invalid')).toBe('true');
      await submit();
      httpMock.expectNone(`${TEST_API}/social/reels`);
    });

    it('should unfold the options and focus the field to fix when a folded one is wrong', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await openMore();
      field<HTMLInputElement>('reel-cover-image').click();
      await settle(fixture);
      await type('reel-cover-url', 'http://cdn.example.com/cover.jpg');
      field<HTMLButtonElement>('reel-more-toggle').click();
      await settle(fixture);
      expect(byTestId(el, 'reel-cover-url')).toBeNull();

      await submit();
      httpMock.expectNone(`${TEST_API}/social/reels`);
      expect(field('reel-more-toggle').getAttribute('aria-expanded')).toBe('true');
      expect(text('reel-cover-url-error')).toBe(
        'Use a public https:// address for the cover image.',
      );
      expect(document.activeElement).toBe(field('reel-cover-url'));
    });

    it('should ask for the frame when "Another frame" is chosen and left empty', async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await openMore();
      field<HTMLInputElement>('reel-cover-frame').click();
      await settle(fixture);
      await submit();
      expect(text('reel-thumb-error')).toBe(
        'Enter the second of the video to use as the cover, e.g. 1.5.',
      );
      httpMock.expectNone(`${TEST_API}/social/reels`);
    });

    it("should show the API's own words when it still refuses the reel with a 400", async () => {
      await type('reel-video-url', 'https://cdn.example.com/launch.mp4');
      await openMore();
      await type('reel-collaborators', 'acme.roastery');
      await submit();
      httpMock.expectOne(`${TEST_API}/social/reels`).flush(
        {
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          message: 'collaborators must be Instagram usernames',
        },
        { status: 400, statusText: 'Bad Request' },
      );
      await settle(fixture);
      expect(text('reel-form-error')).toBe(
        'Some of the information you entered is not valid. Check it and try again. The server said: "collaborators must be Instagram usernames"',
      );
      expect(field<HTMLInputElement>('reel-collaborators').value).toBe('acme.roastery');
      expect(submitted).toEqual([]);
    });
  });

  describe('upload', () => {
    const clip = (): File => new File([new Uint8Array(1000)], 'clip.mp4', { type: 'video/mp4' });

    it('should show the upload progress, then publish with the upload_id', async () => {
      await chooseFile(clip());
      await type('reel-caption', 'From my phone');
      await submit();

      const up = httpMock.expectOne(`${TEST_API}/social/uploads`);
      expect(up.request.method).toBe('POST');
      expect(up.request.reportProgress).toBe(true);
      const sent = (up.request.body as FormData).get('file') as File;
      expect(sent.name).toBe('clip.mp4');
      expect(sent.size).toBe(1000);
      expect(text('reel-submit')).toBe('Uploading…');
      expect(field<HTMLInputElement>('reel-file').disabled).toBe(true);

      up.event({ type: HttpEventType.UploadProgress, loaded: 420, total: 1000 });
      await settle(fixture);
      expect(field('upload-progress').getAttribute('aria-valuenow')).toBe('42');
      expect(text('upload-progress-text')).toBe('Uploading clip.mp4: 42%');

      up.flush(anUpload({ upload_id: 'u-1', size: 1000 }), { status: 201, statusText: 'Created' });
      await settle(fixture);
      expect(text('upload-progress-text')).toBe('Uploaded clip.mp4');
      const req = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(req.request.body).toEqual({
        account_id: 1,
        upload_id: 'u-1',
        caption: 'From my phone',
        share_to_feed: true,
      });
      expect(req.request.headers.get('Idempotency-Key')).toBe('key-1');
      req.flush(aReel({ video_url: null, upload_id: 'u-1' }), {
        status: 202,
        statusText: 'Accepted',
      });
      await settle(fixture);
      expect(submitted).toHaveLength(1);
      expect(byTestId(el, 'upload-progress')).toBeNull();
    });

    it('should not upload the file again when only the publish step is retried', async () => {
      await chooseFile(clip());
      await submit();
      httpMock
        .expectOne(`${TEST_API}/social/uploads`)
        .flush(anUpload({ upload_id: 'u-1' }), { status: 201, statusText: 'Created' });
      await settle(fixture);
      httpMock
        .expectOne(`${TEST_API}/social/reels`)
        .flush(
          { statusCode: 502, code: 'META_UNAVAILABLE', message: 'x' },
          { status: 502, statusText: 'Bad Gateway' },
        );
      await settle(fixture);
      expect(text('reel-form-error')).toContain('Facebook is not responding right now.');

      await submit();
      httpMock.expectNone(`${TEST_API}/social/uploads`);
      const retry = httpMock.expectOne(`${TEST_API}/social/reels`);
      expect(retry.request.body.upload_id).toBe('u-1');
      retry.flush(aReel(), { status: 200, statusText: 'OK' });
      await settle(fixture);
      expect(submitted).toHaveLength(1);
    });

    it('should say so and hide the bar when the upload is refused', async () => {
      await chooseFile(clip());
      await submit();
      httpMock
        .expectOne(`${TEST_API}/social/uploads`)
        .flush(
          { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'x' },
          { status: 415, statusText: 'Unsupported' },
        );
      await settle(fixture);
      expect(text('reel-form-error')).toBe('Only MP4 and MOV videos can be uploaded.');
      expect(byTestId(el, 'upload-progress')).toBeNull();
      httpMock.expectNone(`${TEST_API}/social/reels`);
    });
  });
});
