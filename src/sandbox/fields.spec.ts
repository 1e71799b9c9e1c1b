import { parseFields } from './fields';

describe('parseFields', () => {
  it('should return undefined when no fields are given', () => {
    expect(parseFields(undefined)).toBeUndefined();
    expect(parseFields('  ')).toBeUndefined();
  });

  it('should split a flat list when fields are comma separated', () => {
    expect(parseFields('id, name,access_token')).toEqual([{ name: 'id' }, { name: 'name' }, { name: 'access_token' }]);
  });

  it('should keep nested selections when a field has braces', () => {
    expect(parseFields('id,instagram_business_account{id,username},name')).toEqual([
      { name: 'id' },
      { name: 'instagram_business_account', sub: [{ name: 'id' }, { name: 'username' }] },
      { name: 'name' },
    ]);
  });

  it('should ignore modifiers when a field carries .type() or .limit()', () => {
    expect(parseFields('picture.type(large),accounts.limit(5){id}')).toEqual([
      { name: 'picture' },
      { name: 'accounts', sub: [{ name: 'id' }] },
    ]);
  });
});
