import { ChangeDetectionStrategy, Component, type OnInit, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { DatePipe } from '@angular/common';
import { firstValueFrom } from 'rxjs';

import { toUserMessage } from '../../../core/http/api-error';
import { SecretReveal } from '../components/secret-reveal';
import { SettingsNav } from '../../../core/layout/settings-nav';
import { ApiKeysApi } from '../data/integrations.api';
import type { ApiKey, CreatedApiKey } from '../data/integrations.model';

/** Settings → API keys: create (the key is shown once), list, revoke. */
@Component({
  selector: 'app-api-keys-page',
  imports: [ReactiveFormsModule, DatePipe, SecretReveal, SettingsNav],
  templateUrl: './api-keys-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ApiKeysPage implements OnInit {
  private readonly api = inject(ApiKeysApi);
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(100), Validators.pattern(/\S/)]],
    write: [false],
  });
  protected readonly keys = signal<ApiKey[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly creating = signal(false);
  protected readonly created = signal<CreatedApiKey | null>(null);

  async ngOnInit(): Promise<void> {
    await this.load();
  }

  protected async create(): Promise<void> {
    if (this.form.invalid || this.creating()) {
      this.form.markAllAsTouched();
      return;
    }
    this.creating.set(true);
    this.error.set(null);
    const { name, write } = this.form.getRawValue();
    try {
      const key = await firstValueFrom(
        this.api.create(name.trim(), write ? ['read', 'write'] : ['read']),
      );
      this.created.set(key);
      this.form.reset();
      const { key: _shownOnce, ...listed } = key;
      this.keys.update((list) => [...list, listed]);
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.creating.set(false);
    }
  }

  protected async revoke(key: ApiKey): Promise<void> {
    this.error.set(null);
    try {
      await firstValueFrom(this.api.revoke(key.id));
      this.keys.update((list) => list.filter((k) => k.id !== key.id));
      if (this.created()?.id === key.id) this.created.set(null);
    } catch (err) {
      this.error.set(toUserMessage(err));
    }
  }

  private async load(): Promise<void> {
    try {
      this.keys.set(await firstValueFrom(this.api.list()));
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.loading.set(false);
    }
  }
}
