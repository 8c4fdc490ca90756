/** The subset of a pino logger the client writes to (pino's argument order). */
export interface Logger {
  debug(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  warn() {},
};
