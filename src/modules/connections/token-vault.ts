import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, type EncryptionKey } from '../../config/app-config';

const VERSION = 'v1';
/** GCM tag length, pinned: Node would otherwise accept a truncated tag (down to 4 bytes) on decrypt. */
const TAG_BYTES = 16;

/** Additional authenticated data: binds a ciphertext to one row and column so it cannot be moved. */
export function tokenAad(table: string, rowId: string | number, column: string): string {
  return `${table}:${rowId}:${column}`;
}

/**
 * AES-256-GCM for tokens at rest: a random 96-bit nonce per value, AAD binding row and column,
 * and the key id stored in the value (`v1.<keyId>.<nonce>.<ciphertext>.<tag>`) so the key ring
 * can rotate: the first key encrypts, every key decrypts, `npm run tokens:reencrypt` moves rows.
 */
@Injectable()
export class TokenVault {
  private readonly keys: EncryptionKey[];

  constructor(config: AppConfig) {
    this.keys = config.encryptionKeys;
  }

  get currentKeyId(): string {
    return this.keys[0].id;
  }

  encrypt(plain: string, aad: string): string {
    const { id, key } = this.keys[0];
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, id, nonce.toString('base64url'), ct.toString('base64url'), tag.toString('base64url')].join('.');
  }

  decrypt(blob: string, aad: string): string {
    const [version, keyId, nonce, ct, tag] = blob.split('.');
    if (version !== VERSION || !tag) throw new Error('Unrecognised ciphertext format');
    const entry = this.keys.find((k) => k.id === keyId);
    if (!entry) throw new Error(`Encryption key "${keyId}" is not in the key ring`);
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== TAG_BYTES) throw new Error('Unrecognised ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(nonce, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  keyIdOf(blob: string): string | undefined {
    return blob.split('.')[1];
  }
}
