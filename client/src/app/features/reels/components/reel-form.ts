import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  inject,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { firstValueFrom, lastValueFrom, tap } from 'rxjs';

import { CLOCK } from '../../../core/clock';
import { ApiError, toUserMessage } from '../../../core/http/api-error';
import { errorMessageFor } from '../../../core/http/error-messages';
import type { EntityId } from '../../social-accounts/data/social-accounts.model';
import { ReelsApi } from '../data/reels.api';
import type { CreateReelRequest, Reel } from '../data/reels.model';
import { NEW_IDEMPOTENCY_KEY } from '../data/reels-tokens';
import {
  CAPTION_HASHTAG_WARNING,
  CAPTION_MAX_CHARS,
  CAPTION_MAX_HASHTAGS,
  CAPTION_MAX_MENTIONS,
  MAX_SCHEDULE_AHEAD_DAYS,
  audioNameProblem,
  captionFacts,
  collaboratorsProblem,
  coverUrlProblem,
  isHttpsUrl,
  parseCollaborators,
  thumbOffsetMs,
  thumbOffsetProblem,
  toLocalInputValue,
} from './reel-view';

type Source = 'url' | 'file';
/** Instagram picks the cover, or a frame of the video (thumb_offset), or an image (cover_url). */
type Cover = 'auto' | 'frame' | 'image';
type Field =
  | 'videoUrl'
  | 'file'
  | 'caption'
  | 'publishAt'
  | 'coverUrl'
  | 'thumbSeconds'
  | 'audioName'
  | 'collaborators';
type Busy = 'upload' | 'publish' | null;

const VIDEO_TYPES = ['video/mp4', 'video/quicktime'];
const VIDEO_EXTENSIONS = /\.(mp4|mov)$/i;
const DAY_MS = 86_400_000;
const NUMBER = new Intl.NumberFormat('en-GB');

/**
 * "Publish a Reel" for one account: a video (URL or file), a caption, share to feed, a time; and,
 * behind "More options", a cover (a frame or an image), the audio's name and collaborators.
 */
@Component({
  selector: 'app-reel-form',
  imports: [ReactiveFormsModule],
  templateUrl: './reel-form.html',
  styleUrl: './reel-form.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReelForm {
  private readonly api = inject(ReelsApi);
  private readonly clock = inject(CLOCK);
  private readonly newKey = inject(NEW_IDEMPOTENCY_KEY);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);

  readonly accountId = input.required<EntityId>();
  /** The API accepted the reel (202, or 200 for a repeat of the same submit). */
  readonly submitted = output<Reel>();
  /** A valid reel is on its way (the page drops the previous reel's message). */
  readonly started = output<void>();

  protected readonly form = new FormGroup({
    source: new FormControl<Source>('url', { nonNullable: true }),
    videoUrl: new FormControl('', { nonNullable: true }),
    caption: new FormControl('', { nonNullable: true }),
    shareToFeed: new FormControl(true, { nonNullable: true }),
    publishAt: new FormControl('', { nonNullable: true }),
    cover: new FormControl<Cover>('auto', { nonNullable: true }),
    coverUrl: new FormControl('', { nonNullable: true }),
    thumbSeconds: new FormControl('', { nonNullable: true }),
    audioName: new FormControl('', { nonNullable: true }),
    collaborators: new FormControl('', { nonNullable: true }),
  });
  private readonly value = toSignal(this.form.valueChanges, {
    initialValue: this.form.getRawValue(),
  });

  protected readonly file = signal<File | null>(null);
  protected readonly busy = signal<Busy>(null);
  protected readonly submitAttempted = signal(false);
  protected readonly touched = signal<ReadonlySet<string>>(new Set());
  /** The "More options" disclosure; its values are sent whether it is open or not. */
  protected readonly moreOpen = signal(false);
  protected readonly error = signal<string | null>(null);
  /** Bytes sent of the file upload in flight (total null when the browser cannot tell). */
  protected readonly progress = signal<{ loaded: number; total: number | null } | null>(null);

  /** One key per submitted content: a retry of the same reel reuses it, any edit drops it. */
  private idempotencyKey: string | null = null;
  /** The file already stored by the API, so a retry does not send the bytes again. */
  private uploaded: { file: File; uploadId: string } | null = null;

  private readonly fileInput = viewChild<ElementRef<HTMLInputElement>>('fileInput');

  protected readonly maxChars = NUMBER.format(CAPTION_MAX_CHARS);
  protected readonly source = computed(() => this.value().source ?? 'url');
  protected readonly facts = computed(() => captionFacts(this.value().caption ?? ''));
  protected readonly charCount = computed(() => NUMBER.format(this.facts().chars));
  protected readonly hashtagWarning = computed(() => {
    const n = this.facts().hashtags;
    return n > CAPTION_HASHTAG_WARNING && n <= CAPTION_MAX_HASHTAGS;
  });
  protected readonly hashtagLimit = CAPTION_HASHTAG_WARNING;
  protected readonly percent = computed(() => {
    const p = this.progress();
    if (!p || p.total === null || p.total <= 0) return null;
    return Math.min(100, Math.floor((p.loaded / p.total) * 100));
  });

  protected readonly urlError = computed((): string | null => {
    if (this.source() !== 'url') return null;
    const url = (this.value().videoUrl ?? '').trim();
    if (url === '') return "Enter the video's address.";
    if (!isHttpsUrl(url)) return 'Use a public https:// address that Instagram can download.';
    return null;
  });

  protected readonly fileError = computed((): string | null => {
    if (this.source() !== 'file') return null;
    const f = this.file();
    if (!f) return 'Choose a video file.';
    if (!VIDEO_TYPES.includes(f.type) && !VIDEO_EXTENSIONS.test(f.name))
      return errorMessageFor('UNSUPPORTED_MEDIA_TYPE');
    return null;
  });

  protected readonly captionError = computed((): string | null => {
    const f = this.facts();
    if (f.chars > CAPTION_MAX_CHARS) return errorMessageFor('CAPTION_TOO_LONG');
    if (f.hashtags > CAPTION_MAX_HASHTAGS) return errorMessageFor('TOO_MANY_HASHTAGS');
    if (f.mentions > CAPTION_MAX_MENTIONS) return errorMessageFor('TOO_MANY_MENTIONS');
    return null;
  });

  protected readonly publishAtError = computed((): string | null => {
    const raw = this.value().publishAt ?? '';
    if (raw === '') return null;
    const t = new Date(raw).getTime();
    if (Number.isNaN(t)) return 'Enter a date and a time, or leave it empty to publish now.';
    const now = this.clock().getTime();
    if (t <= now) return 'Choose a time in the future, or leave it empty to publish now.';
    if (t > now + MAX_SCHEDULE_AHEAD_DAYS * DAY_MS)
      return `A reel can be scheduled at most ${MAX_SCHEDULE_AHEAD_DAYS} days ahead.`;
    return null;
  });

  protected readonly cover = computed(() => this.value().cover ?? 'auto');
  protected readonly coverUrlError = computed((): string | null =>
    this.cover() === 'image' ? coverUrlProblem(this.value().coverUrl ?? '') : null,
  );
  protected readonly thumbError = computed((): string | null =>
    this.cover() === 'frame' ? thumbOffsetProblem(this.value().thumbSeconds ?? '') : null,
  );
  protected readonly audioNameError = computed(() =>
    audioNameProblem(this.value().audioName ?? ''),
  );
  protected readonly collaborators = computed(() =>
    parseCollaborators(this.value().collaborators ?? ''),
  );
  protected readonly collaboratorsError = computed(() =>
    collaboratorsProblem(this.collaborators()),
  );
  private readonly moreOptionsError = computed(
    () =>
      this.coverUrlError() ??
      this.thumbError() ??
      this.audioNameError() ??
      this.collaboratorsError(),
  );
  /** What the closed "More options" would still send, so nothing goes out unseen. */
  protected readonly moreSummary = computed((): string => {
    const v = this.value();
    const set: string[] = [];
    if (v.cover === 'image') set.push('cover image');
    if (v.cover === 'frame') set.push('cover frame');
    if ((v.audioName ?? '').trim() !== '') set.push('audio name');
    const n = this.collaborators().length;
    if (n > 0) set.push(n === 1 ? '1 collaborator' : `${n} collaborators`);
    return set.join(', ');
  });

  protected readonly scheduling = computed(() => (this.value().publishAt ?? '') !== '');
  /** Earliest and latest values the time picker offers. */
  protected readonly minTime = computed(() => toLocalInputValue(this.clock()));
  protected readonly maxTime = computed(() =>
    toLocalInputValue(new Date(this.clock().getTime() + MAX_SCHEDULE_AHEAD_DAYS * DAY_MS)),
  );

  constructor() {
    // Another content is another reel: never send it under the key of the previous one.
    this.form.valueChanges.subscribe(() => (this.idempotencyKey = null));
  }

  protected show(field: Field): boolean {
    return this.submitAttempted() || this.touched().has(field);
  }

  protected markTouched(field: Field): void {
    if (!this.touched().has(field)) this.touched.update((s) => new Set([...s, field]));
  }

  protected toggleMore(): void {
    this.moreOpen.update((open) => !open);
  }

  protected onFileChosen(event: Event): void {
    const files = (event.target as HTMLInputElement).files;
    this.file.set(files && files.length > 0 ? files[0] : null);
    this.progress.set(null);
    this.idempotencyKey = null;
    this.markTouched('file');
  }

  async submit(): Promise<void> {
    if (this.busy()) return;
    this.submitAttempted.set(true);
    this.error.set(null);
    // a problem behind the closed disclosure must be seen (and focused) to be fixed
    if (this.moreOptionsError()) this.moreOpen.set(true);
    const problem =
      this.urlError() ??
      this.fileError() ??
      this.captionError() ??
      this.publishAtError() ??
      this.moreOptionsError();
    if (problem) {
      // Keyboard and screen-reader users land on the field to fix, once its error is shown.
      afterNextRender(
        () => this.host.nativeElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
        { injector: this.injector },
      );
      return;
    }
    this.started.emit();
    const v = this.form.getRawValue();
    const key = (this.idempotencyKey ??= this.newKey());
    try {
      const body: CreateReelRequest = {
        account_id: this.accountId(),
        share_to_feed: v.shareToFeed,
      };
      if (v.source === 'file') body.upload_id = await this.uploadFile(this.file()!);
      else body.video_url = v.videoUrl.trim();
      if (v.caption.trim() !== '') body.caption = v.caption;
      if (v.publishAt !== '') body.publish_at = new Date(v.publishAt).toISOString();
      if (v.cover === 'image') body.cover_url = v.coverUrl.trim();
      if (v.cover === 'frame') body.thumb_offset = thumbOffsetMs(v.thumbSeconds) ?? undefined;
      if (v.audioName.trim() !== '') body.audio_name = v.audioName.trim();
      const collaborators = this.collaborators();
      if (collaborators.length > 0)
        body.collaborators = collaborators.map((c) => c.replace(/^@/, ''));
      this.busy.set('publish');
      const reel = await firstValueFrom(this.api.create(body, key));
      this.reset();
      this.submitted.emit(reel);
    } catch (err) {
      this.error.set(formError(err));
    } finally {
      this.busy.set(null);
    }
  }

  private async uploadFile(file: File): Promise<string> {
    if (this.uploaded?.file === file) return this.uploaded.uploadId;
    this.busy.set('upload');
    this.progress.set({ loaded: 0, total: file.size || null });
    try {
      const last = await lastValueFrom(
        this.api.upload(file).pipe(
          tap((p) => {
            if (p.kind === 'progress') this.progress.set({ loaded: p.loaded, total: p.total });
            else this.progress.set({ loaded: p.upload.size, total: p.upload.size });
          }),
        ),
      );
      if (last.kind !== 'done') throw new Error('the upload ended without an answer');
      this.uploaded = { file, uploadId: last.upload.upload_id };
      return last.upload.upload_id;
    } catch (err) {
      this.progress.set(null);
      throw err;
    }
  }

  private reset(): void {
    this.form.reset({
      source: this.form.controls.source.value,
      videoUrl: '',
      caption: '',
      shareToFeed: true,
      publishAt: '',
      cover: 'auto',
      coverUrl: '',
      thumbSeconds: '',
      audioName: '',
      collaborators: '',
    });
    this.file.set(null);
    this.uploaded = null;
    this.progress.set(null);
    this.idempotencyKey = null;
    this.submitAttempted.set(false);
    this.touched.set(new Set());
    const input = this.fileInput()?.nativeElement;
    if (input) input.value = '';
  }
}

/**
 * The sentence for a failed submit. A 400 VALIDATION_FAILED also carries the API's own words
 * (which field, which rule): the form checks the same rules, so this is rare, and worth showing.
 */
function formError(err: unknown): string {
  const message = toUserMessage(err);
  if (err instanceof ApiError && err.code === 'VALIDATION_FAILED' && err.serverMessage)
    return `${message} The server said: "${err.serverMessage}"`;
  return message;
}
