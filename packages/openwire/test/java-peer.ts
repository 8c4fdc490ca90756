import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  JavaByte,
  JavaDouble,
  JavaFloat,
  JavaShort,
  type PropertyValue,
} from '@activemq-ha/openwire';
import { DEBIAN_ACTIVEMQ_HOME, locateJava } from '@activemq-ha/testkit';

const run = promisify(execFile);
const JAVA_DIR = fileURLToPath(new URL('./java/', import.meta.url));

/** Every JMS property type, as JmsPeer.setAll (Java's setXxxProperty) writes it. */
export const JAVA_PROPERTIES = new Map<string, PropertyValue>([
  ['pBool', true],
  ['pByte', new JavaByte(-3)],
  ['pShort', new JavaShort(1234)],
  ['pInt', -99],
  ['pLong', 1234567890123n],
  ['pFloat', new JavaFloat(2.5)],
  ['pDouble', new JavaDouble(0.125)],
  ['pString', 'ünï'],
]);
/** The same as JmsPeer.describe prints them (sorted, `name=JavaType:value,`). */
export const JAVA_PROPERTIES_PRINTED =
  'pBool=Boolean:true,pByte=Byte:-3,pDouble=Double:0.125,pFloat=Float:2.5,pInt=Integer:-99,pLong=Long:1234567890123,pShort=Short:1234,pString=String:ünï,';

/** ActiveMQ's Java client and its dependencies, from the broker distribution. */
export function activemqClasspath(
  home = process.env.ACTIVEMQ_HOME ?? DEBIAN_ACTIVEMQ_HOME,
): string {
  const lib = join(home, 'lib');
  if (!existsSync(join(lib, 'activemq-client.jar'))) {
    throw new Error(`activemq-client.jar not found in ${lib}; set ACTIVEMQ_HOME`);
  }
  return `${lib}/*`;
}

/**
 * Compiles test/java/<name>.java with javac (once per source change) into `outDir` and returns
 * a function running it: the Java client is a real peer, never a mock.
 */
export async function javaProgram(
  name: string,
  outDir: string,
): Promise<(args: readonly string[], timeoutMs?: number) => Promise<string>> {
  const java = locateJava();
  const javac = java.replace(/java$/, 'javac');
  const classpath = activemqClasspath();
  const source = join(JAVA_DIR, `${name}.java`);
  const compiled = join(outDir, `${name}.class`);
  await mkdir(outDir, { recursive: true });
  const fresh =
    existsSync(compiled) && (await stat(compiled)).mtimeMs >= (await stat(source)).mtimeMs;
  // -sourcepath: a peer may use another's helpers (JmsPeer.setAll/describe).
  if (!fresh) await run(javac, ['-cp', classpath, '-sourcepath', JAVA_DIR, '-d', outDir, source]);
  return async (args, timeoutMs = 60_000) => {
    const { stdout } = await run(
      java,
      ['-Xmx128m', '-cp', `${outDir}:${classpath}`, name, ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  };
}
