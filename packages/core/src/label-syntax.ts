/*
 * Kubernetes label and annotation syntax (apimachinery validation.IsQualifiedName and
 * IsValidLabelValue). Checked up front: a malformed key or value would make every write fail with
 * 422, which the labeler can only retry forever.
 */

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_MAX = 63;
const PREFIX_MAX = 253;

/**
 * Why `key` is not a qualified name (`[prefix/]name`, e.g. `activemq-ha.io/leader`): undefined
 * when it is one. The prefix is a DNS subdomain of at most 253 characters; the name at most 63
 * alphanumerics, `-`, `_` or `.`, starting and ending alphanumeric.
 */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'has an empty prefix before "/"';
    if (prefix.length > PREFIX_MAX) return `has a prefix longer than ${PREFIX_MAX} characters`;
    if (!DNS_SUBDOMAIN.test(prefix)) {
      return 'has a prefix that is not a DNS subdomain (lowercase alphanumerics, "-", ".")';
    }
  }
  return nameProblem(name, 'name');
}

/** Why `value` is not a non-empty label value; undefined when it is one. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'must be a non-empty label value';
  return nameProblem(value, 'value');
}

function nameProblem(s: string, what: string): string | undefined {
  if (s.length === 0) return `has an empty ${what}`;
  if (s.length > NAME_MAX) return `has a ${what} longer than ${NAME_MAX} characters`;
  if (!NAME.test(s)) {
    return `has a ${what} that is not alphanumerics, "-", "_" or "." starting and ending alphanumeric`;
  }
  return undefined;
}

/** Why `name` is not an object name of the DNS-1123 subdomain kind (a Lease's); undefined if it is. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'must be a non-empty name';
  if (name.length > PREFIX_MAX) return `is longer than ${PREFIX_MAX} characters`;
  if (!DNS_SUBDOMAIN.test(name)) {
    return 'is not a DNS subdomain (lowercase alphanumerics, "-" and ".", starting and ending alphanumeric)';
  }
  return undefined;
}
