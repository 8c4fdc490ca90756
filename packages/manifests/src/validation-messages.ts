import type { z } from 'zod';

/**
 * zod's built-in texts ("Too small: expected number to be >=1") rewritten as what the option
 * must be. Messages the schemas set themselves are kept as written.
 */
export function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return `needs at least ${min} item${min === 1 ? '' : 's'}`;
      if (issue.origin === 'string')
        return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
      if (isDefault(issue.message, 'Too small')) return `must be at least ${min}`;
      return issue.message;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return `takes at most ${max} items`;
      if (issue.origin === 'string') return `must be at most ${max} characters`;
      if (isDefault(issue.message, 'Too big')) return `must be at most ${max}`;
      return issue.message;
    }
    case 'invalid_type':
      if (!isDefault(issue.message, 'Invalid input')) return issue.message;
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown option${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_value':
      if (!isDefault(issue.message, 'Invalid option')) return issue.message;
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return isDefault(issue.message, 'Invalid input') ? 'has an invalid value' : issue.message;
    default:
      return issue.message;
  }
}

function isDefault(message: string, zodPrefix: string): boolean {
  return message.startsWith(zodPrefix);
}
