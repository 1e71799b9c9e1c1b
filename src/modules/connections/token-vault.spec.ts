import { AppConfig } from '../../config/app-config';
import { validateEnv } from '../../config/env.schema';
import { TokenVault } from './token-vault';

const key = (b: number) => Buffer.alloc(32, b).toString('base64');
const vaultWith = (ring: string) =>
  new TokenVault(
    new AppConfig(validateEnv({ ENVIRONMENT: 'test', SECRET_KEY: 'unit-test-secret-key', TOKEN_ENCRYPTION_KEYS: ring })),
  );

describe('TokenVault', () => {
  it('should round-trip a token when decrypted with the same row and column', () => {
    const vault = vaultWith(`k1:${key(1)}`);
    const blob = vault.encrypt('EAAG-secret-token', 'instagram_tokens:7:access_token');
    expect(blob).not.toContain('EAAG');
    expect(blob.startsWith('v1.k1.')).toBe(true);
    expect(vault.decrypt(blob, 'instagram_tokens:7:access_token')).toBe('EAAG-secret-token');
  });

  it('should use a fresh nonce when the same value is encrypted twice', () => {
    const vault = vaultWith(`k1:${key(1)}`);
    expect(vault.encrypt('same', 'a')).not.toBe(vault.encrypt('same', 'a'));
  });

  it('should refuse to decrypt when the ciphertext is moved to another row or column', () => {
    const vault = vaultWith(`k1:${key(1)}`);
    const blob = vault.encrypt('EAAG-secret-token', 'instagram_tokens:7:access_token');
    expect(() => vault.decrypt(blob, 'instagram_tokens:8:access_token')).toThrow();
    expect(() => vault.decrypt(blob, 'instagram_tokens:7:long_lived_token')).toThrow();
  });

  it('should refuse to decrypt when one byte of the ciphertext is flipped', () => {
    const vault = vaultWith(`k1:${key(1)}`);
    const parts = vault.encrypt('EAAG-secret-token', 'x').split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0] ^= 1;
    parts[3] = ct.toString('base64url');
    expect(() => vault.decrypt(parts.join('.'), 'x')).toThrow();
  });

  it('should refuse a truncated authentication tag even when its bytes are the real prefix', () => {
    const vault = vaultWith(`k1:${key(1)}`);
    const parts = vault.encrypt('EAAG-secret-token', 'x').split('.');
    const tag = Buffer.from(parts[4], 'base64url');
    expect(tag).toHaveLength(16);
    for (const len of [4, 8, 12, 15]) {
      parts[4] = tag.subarray(0, len).toString('base64url');
      expect(() => vault.decrypt(parts.join('.'), 'x')).toThrow();
    }
    parts[4] = Buffer.concat([tag, Buffer.from([0])]).toString('base64url');
    expect(() => vault.decrypt(parts.join('.'), 'x')).toThrow();
  });

  it('should decrypt with an older key and encrypt with the first when the ring is rotated', () => {
    const old = vaultWith(`k1:${key(1)}`).encrypt('EAAG-secret-token', 'x');
    const rotated = vaultWith(`k2:${key(2)},k1:${key(1)}`);
    expect(rotated.decrypt(old, 'x')).toBe('EAAG-secret-token');
    expect(rotated.keyIdOf(rotated.encrypt('EAAG-secret-token', 'x'))).toBe('k2');
    expect(() => vaultWith(`k2:${key(2)}`).decrypt(old, 'x')).toThrow(/k1/);
  });
});
