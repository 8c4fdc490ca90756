// The label selector language of k8s.io/apimachinery/pkg/labels (equality- and set-based).
import { isQualifiedName, isValidLabelValue } from './name-validation.js';

export type SelectorOperator = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

type Token =
  | { kind: 'id'; text: string }
  | { kind: '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '>' | '<' | 'end'; text: string };

const special = new Set(['!', '(', ')', ',', '=', '<', '>']);

function lex(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '!=' || two === '==') {
      out.push({ kind: two, text: two });
      i += 2;
      continue;
    }
    if (special.has(c)) {
      out.push({ kind: c as '!', text: c });
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !special.has(input[j] as string) && !/\s/.test(input[j] as string))
      j++;
    out.push({ kind: 'id', text: input.slice(i, j) });
    i = j;
  }
  out.push({ kind: 'end', text: '' });
  return out;
}

/** Parses a `labelSelector` query value; throws SelectorParseError with the library's wording. */
export function parseLabelSelector(input: string): Requirement[] {
  const toks = lex(input);
  let p = 0;
  const peek = () => toks[p] as Token;
  const next = () => toks[p++] as Token;
  const reqs: Requirement[] = [];
  if (peek().kind === 'end') return reqs;
  for (;;) {
    let negate = false;
    if (peek().kind === '!') {
      next();
      negate = true;
    }
    const keyTok = next();
    if (keyTok.kind !== 'id') {
      throw new SelectorParseError(`found '${keyTok.text}', expected: identifier`);
    }
    const key = keyTok.text;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) {
      throw new SelectorParseError(
        `unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`,
      );
    }
    let req: Requirement;
    const op = peek();
    if (negate) {
      req = { key, operator: '!', values: [] };
    } else if (op.kind === ',' || op.kind === 'end') {
      req = { key, operator: 'exists', values: [] };
    } else if (op.kind === '=' || op.kind === '==' || op.kind === '!=') {
      next();
      const v = peek().kind === 'id' ? next().text : '';
      req = { key, operator: op.kind === '!=' ? '!=' : '=', values: [v] };
    } else if (op.kind === '>' || op.kind === '<') {
      next();
      const v = next();
      if (v.kind !== 'id' || !/^-?\d+$/.test(v.text)) {
        throw new SelectorParseError(
          `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
        );
      }
      req = { key, operator: op.kind === '>' ? 'gt' : 'lt', values: [v.text] };
    } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
      next();
      if (next().kind !== '(')
        throw new SelectorParseError(`found '${toks[p - 1]?.text}', expected: '('`);
      const values: string[] = [];
      if (peek().kind === ')') next();
      else {
        for (;;) {
          values.push(peek().kind === 'id' ? next().text : '');
          const t = next();
          if (t.kind === ')') break;
          if (t.kind !== ',')
            throw new SelectorParseError(`found '${t.text}', expected: ',' or ')'`);
        }
      }
      if (values.length === 0) {
        throw new SelectorParseError(
          `unable to parse requirement: values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty`,
        );
      }
      req = { key, operator: op.text, values };
    } else {
      throw new SelectorParseError(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    for (const [i, v] of req.values.entries()) {
      if (req.operator === 'gt' || req.operator === 'lt') break;
      const errs = isValidLabelValue(v);
      if (errs.length > 0) {
        throw new SelectorParseError(
          `unable to parse requirement: values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`,
        );
      }
    }
    reqs.push(req);
    const sep = next();
    if (sep.kind === 'end') return reqs;
    if (sep.kind !== ',')
      throw new SelectorParseError(`found '${sep.text}', expected: ',' or 'end of string'`);
  }
}

export function matchesRequirement(
  labels: Readonly<Record<string, string>> | undefined,
  r: Requirement,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
      return has && value === r.values[0];
    case '!=':
      return !has || value !== r.values[0];
    case 'in':
      return has && r.values.includes(value as string);
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const a = Number(value);
      const b = Number(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

export function matchesSelector(
  labels: Readonly<Record<string, string>> | undefined,
  reqs: readonly Requirement[],
): boolean {
  return reqs.every((r) => matchesRequirement(labels, r));
}

/** A Service's `spec.selector`: every pair must be present and equal. */
export function matchesMap(
  labels: Readonly<Record<string, string>> | undefined,
  selector: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
