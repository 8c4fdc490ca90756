import { describe, expect, it } from 'vitest';
import {
  brokerConfigLayout,
  checkBrokerVersion,
  DEFAULT_BROKER_VERSION,
  isSupportedBrokerLine,
  parseBrokerVersion,
} from './broker-version.js';

const layoutOf = (tag: string) => brokerConfigLayout(parseBrokerVersion(tag)).jetty;

describe('parseBrokerVersion', () => {
  it('reads release tags, with an image suffix', () => {
    expect(parseBrokerVersion('6.2.10')).toEqual({ major: 6, minor: 2, patch: 10, line: '6.2' });
    expect(parseBrokerVersion('5.19.7-jdk17').line).toBe('5.19');
  });

  it('refuses latest and floating tags, saying why and what to use', () => {
    expect(() => parseBrokerVersion('latest')).toThrow(/"latest" moves.*6\.2\.10/);
    expect(() => parseBrokerVersion('6.2')).toThrow(/floating tag/);
    expect(() => parseBrokerVersion('6')).toThrow(/floating tag/);
    expect(() => parseBrokerVersion('v6.2.1')).toThrow(/not a release tag/);
  });

  it('refuses unknown majors', () => {
    expect(() => parseBrokerVersion('7.0.0')).toThrow(/7\.x is not known/);
    expect(() => parseBrokerVersion('4.1.2')).toThrow(/4\.x is not known/);
  });
});

describe('checkBrokerVersion', () => {
  it('the default is from a supported line', () => {
    expect(isSupportedBrokerLine(parseBrokerVersion(DEFAULT_BROKER_VERSION))).toBe(true);
  });

  it('accepts 5.19.x, 6.2.x and newer 6.x', () => {
    for (const tag of ['5.19.7', '6.2.4', '6.3.1']) {
      expect(checkBrokerVersion(tag, false).line).toBe(tag.slice(0, tag.lastIndexOf('.')));
    }
  });

  it('refuses unsupported lines unless allowed, naming the flag', () => {
    for (const tag of ['5.18.6', '5.17.2', '6.0.1', '6.1.8']) {
      expect(() => checkBrokerVersion(tag, false)).toThrow(/--allow-unsupported-broker/);
      expect(checkBrokerVersion(tag, true).major).toBeGreaterThan(4);
    }
  });
});

describe('brokerConfigLayout', () => {
  it('Jetty 9/11 jetty.xml up to 6.2, Jetty 12 jetty-spring.xml from 6.3', () => {
    expect(layoutOf('5.18.3')).toBe('jetty9-11');
    expect(layoutOf('5.19.7')).toBe('jetty9-11');
    expect(layoutOf('6.1.8')).toBe('jetty9-11');
    expect(layoutOf('6.2.10')).toBe('jetty9-11');
    expect(layoutOf('6.3.0')).toBe('jetty12');
    const jetty12 = brokerConfigLayout(parseBrokerVersion('6.3.1'));
    expect(jetty12.consoleImport).toBe('jetty-spring.xml');
    expect(jetty12.consoleFiles.map((f) => f.path)).toEqual([
      'jetty-spring.xml',
      'jetty-spring.properties',
      'jetty/jetty-security.xml',
      'credentials.properties',
    ]);
  });
});
