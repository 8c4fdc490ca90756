import { describe, expect, it } from 'vitest';
import { eventName } from './kube-client.js';

// The API server validates an Event's name as a DNS subdomain; a generateName of `<pod>.` was
// rejected with 422 by a real kube-apiserver.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('eventName', () => {
  it("is client-go's <object>.<hex> and a valid DNS subdomain", () => {
    const name = eventName('activemq-0', Date.UTC(2026, 11, 1));
    expect(name).toMatch(/^activemq-0\.[0-9a-f]+$/);
    expect(name).toMatch(DNS_SUBDOMAIN);
  });

  it('differs for two Events in the same millisecond', () => {
    const at = Date.now();
    expect(eventName('activemq-0', at)).not.toBe(eventName('activemq-0', at));
  });
});
