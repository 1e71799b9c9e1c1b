import { ErrorCode } from './error-codes';
import { jsonBodyProblem, queryProblem, verifyJson } from './bad-input';

describe('queryProblem', () => {
  it.each(['', 'a=1', 'a=%41&b=%C3%A9', 'a=1+2', 'a&b', '&&a=1&', 'hub.mode=subscribe&hub.challenge=1', 'a=1=2'])(
    'should accept %j',
    (q) => {
      expect(queryProblem(q)).toBeNull();
    },
  );

  it.each(['%=1', 'a=%', 'a=%G1', 'a=%E0%A4%A', 'a=%FF', 'a=%ED%A0%80', '%C0%80=1'])(
    'should refuse the malformed percent-encoding in %j',
    (q) => {
      expect(queryProblem(q)).toMatch(/malformed percent-encoding/);
    },
  );

  it.each(['state=a&state=b', 'state=a&%73tate=b', 'a&a', 'x+y=1&x%20y=2'])('should refuse the repeated key in %j', (q) => {
    expect(queryProblem(q)).toMatch(/more than once/);
  });
});

describe('jsonBodyProblem', () => {
  const check = (text: string, checkText = true) => jsonBodyProblem(Buffer.from(text), { maxDepth: 3, checkText })?.code ?? null;

  it('should count nesting outside strings only', () => {
    expect(check('[[[1]]]')).toBeNull();
    expect(check('[[[[1]]]]')).toBe(ErrorCode.BODY_TOO_DEEP);
    expect(check('{"a":{"b":{"c":1}},"d":[["x"]]}')).toBeNull();
    expect(check('{"a":"[[[[[[{{{{{{","b":"\\"[[[[["}')).toBeNull();
  });

  it.each([
    ['"\\ud800"', ErrorCode.INVALID_CHARACTERS],
    ['"\\uDFFF"', ErrorCode.INVALID_CHARACTERS],
    ['"\\ud800\\u0041"', ErrorCode.INVALID_CHARACTERS],
    ['"\\ud800\\ud800"', ErrorCode.INVALID_CHARACTERS],
    ['"\\ud800"', ErrorCode.INVALID_CHARACTERS],
    ['{"\\udc00":1}', ErrorCode.INVALID_CHARACTERS],
    ['"a\\u0000b"', ErrorCode.INVALID_CHARACTERS],
    ['"\\ud83d\\ude00"', null],
    ['"\\\\ud800"', null], // an escaped backslash, then plain text
    ['"\\u0041\\n\\t"', null],
    ['"\\u12"', null], // broken escape: JSON.parse refuses it
  ])('should judge %s as %s', (text, code) => {
    expect(check(`[${text}]`)).toBe(code);
  });

  it('should leave text alone when not asked to check it (webhooks)', () => {
    expect(check('["\\ud800\\u0000"]', false)).toBeNull();
    expect(check('[[[[1]]]]', false)).toBe(ErrorCode.BODY_TOO_DEEP);
  });

  it('should never throw on arbitrary bytes', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)));
      expect(() => jsonBodyProblem(bytes, { maxDepth: 3, checkText: true })).not.toThrow();
    }
  });
});

describe('verifyJson', () => {
  const verify = verifyJson({ maxDepth: 3, checkText: true });

  it('should keep the raw bytes and accept UTF-8', () => {
    const req = {} as { rawBody?: Buffer };
    const buf = Buffer.from('{"a":1}');
    verify(req as never, {} as never, buf, 'utf-8');
    expect(req.rawBody).toBe(buf);
  });

  it('should throw a 4xx DomainError body-parser keeps the status of', () => {
    const tooDeep = (() => {
      try {
        verify({} as never, {} as never, Buffer.from('[[[[[]]]]]'), 'utf-8');
      } catch (e) {
        return e as { code: string; status: number };
      }
    })();
    expect(tooDeep).toMatchObject({ code: ErrorCode.BODY_TOO_DEEP, status: 400 });
    expect(() => verify({} as never, {} as never, Buffer.from('{}'), 'utf-16le')).toThrow(
      expect.objectContaining({ code: ErrorCode.UNSUPPORTED_ENCODING, status: 415 }),
    );
  });
});
