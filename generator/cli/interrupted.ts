/** Ctrl-C reached a command that stops instead of finishing (every command but plan, push, drift). */
export class Interrupted extends Error {}

/** The shell's code for a process stopped by Ctrl-C: 128 + SIGINT (2). */
export const INTERRUPTED_EXIT_CODE = 130;
