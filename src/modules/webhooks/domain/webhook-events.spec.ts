import { storable } from './webhook-events';

describe('storable', () => {
  it.each([
    ['a lone high surrogate', 'half \ud83d emoji', 'half \ufffd emoji'],
    ['a lone low surrogate', 'x\udc00y', 'x\ufffdy'],
    ['a NUL', 'nul\u0000', 'nul\ufffd'],
    ['a well-formed pair (kept)', 'ok 😀', 'ok 😀'],
    ['plain text (kept)', 'Café', 'Café'],
  ])('should make %s storable', (_name, input, expected) => {
    expect(storable(input)).toBe(expected);
  });

  it('should clean keys and nested values and keep numbers, booleans and nulls', () => {
    expect(storable({ '\u0000k': [{ v: '\udfff' }, 1, true, null] })).toEqual({ '\ufffdk': [{ v: '\ufffd' }, 1, true, null] });
  });
});
