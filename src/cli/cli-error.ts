import { parseArgs, type ParseArgsConfig } from 'node:util';
/** An error the CLI reports as a message (no stack) with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** parseArgs (strict by default), its errors turned into a usage error that shows `usage` below node's own message. */
export function parseCliArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${usage}`);
  }
}
