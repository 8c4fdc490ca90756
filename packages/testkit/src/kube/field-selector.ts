// fieldSelector query values: `a=b,c!=d`, with `\` escaping of `,`, `=`, `!` and `\`.
import { SelectorParseError } from './label-selector.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

function unescapeValue(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

export function parseFieldSelector(input: string): FieldRequirement[] {
  if (input.trim() === '') return [];
  return splitUnescaped(input, ',').map((term) => {
    for (const op of ['!=', '==', '='] as const) {
      const idx = findUnescaped(term, op);
      if (idx >= 0) {
        return {
          field: unescapeValue(term.slice(0, idx).trim()),
          operator: op === '!=' ? '!=' : '=',
          value: unescapeValue(term.slice(idx + op.length)),
        };
      }
    }
    throw new SelectorParseError(`invalid selector: '${input}'; can't understand '${term}'`);
  });
}

function findUnescaped(s: string, op: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s.startsWith(op, i)) return i;
  }
  return -1;
}
