import { describe, expect, it } from 'vitest';
import { jettyXmlFileOrder, parseSimpleProperties } from './rendered-jetty12.js';

describe('jettyXmlFileOrder (as JettyServerBean loads them)', () => {
  it('takes jettyXmlFiles, then the HTTP files, skipping HTTPS unless enabled', () => {
    const props = parseSimpleProperties(
      '# comment\njettyXmlFiles=a.xml, b.xml,c.xml\njettyHttpXmlFiles=http.xml\n' +
        'jettyHttpsXmlFiles=ssl.xml,https.xml\nhttpEnabled=true\nhttpsEnabled=false\n',
    );
    expect(jettyXmlFileOrder(props)).toEqual(['a.xml', 'b.xml', 'c.xml', 'http.xml']);
  });

  it('defaults httpEnabled to true, honours httpsEnabled and appends the extra files', () => {
    expect(
      jettyXmlFileOrder({
        jettyXmlFiles: 'a.xml',
        jettyHttpXmlFiles: 'http.xml',
        jettyHttpsXmlFiles: 'ssl.xml',
        httpsEnabled: 'true',
        jettyExtraXmlFiles: 'log.xml',
      }),
    ).toEqual(['a.xml', 'http.xml', 'ssl.xml', 'log.xml']);
    expect(jettyXmlFileOrder({ jettyHttpXmlFiles: 'http.xml', httpEnabled: 'false' })).toEqual([]);
  });

  it('reads key=value lines, values may contain =', () => {
    expect(parseSimpleProperties('! note\n k = v=w \n\nnovalue\n')).toEqual({ k: 'v=w' });
  });
});
