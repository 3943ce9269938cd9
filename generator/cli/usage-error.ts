/** A command line the CLI refuses: reported with a pointer to the help, exit code 2. */
export class UsageError extends Error {
  /** The command whose --help to point at, when the command is known. */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}
