/** One entry of a Graph `fields=` selection, e.g. `instagram_business_account{id,username}`. */
export interface FieldSelection {
  name: string;
  /** Nested selection inside `{…}`, when given. */
  sub?: FieldSelection[];
}

/**
 * Parses Meta's field syntax: comma-separated names, nested `{…}` selections, and modifiers such as
 * `.type(large)` or `.limit(5)` (accepted and ignored: the sandbox has nothing to resize).
 */
export function parseFields(input: string | undefined): FieldSelection[] | undefined {
  if (input === undefined || input.trim() === '') return undefined;
  let pos = 0;
  const parseList = (): FieldSelection[] => {
    const out: FieldSelection[] = [];
    while (pos < input.length) {
      const start = pos;
      while (pos < input.length && !',{}.('.includes(input[pos])) pos++;
      const name = input.slice(start, pos).trim();
      let sub: FieldSelection[] | undefined;
      // Modifiers like .type(large) or .limit(5){...}; skip the parenthesised argument.
      while (pos < input.length && (input[pos] === '.' || input[pos] === '(' || input[pos] === '{')) {
        if (input[pos] === '{') {
          pos++;
          sub = parseList();
          if (input[pos] === '}') pos++;
        } else if (input[pos] === '(') {
          const close = input.indexOf(')', pos);
          pos = close === -1 ? input.length : close + 1;
        } else {
          pos++;
          while (pos < input.length && !',{}.('.includes(input[pos])) pos++;
        }
      }
      if (name) out.push(sub ? { name, sub } : { name });
      if (input[pos] === ',') {
        pos++;
        continue;
      }
      if (input[pos] === '}') break;
    }
    return out;
  };
  return parseList();
}
