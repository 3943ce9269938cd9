/**
 * Questions at a terminal (init's answers, push's confirmation). Ctrl-C and Ctrl-D at a question
 * are the person saying "stop", not failures: they become a PromptCancelled that the command
 * turns into a quiet exit, never a stack trace.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';

/** The person pressed Ctrl-C (interrupt) or Ctrl-D (end of input) instead of answering. */
export class PromptCancelled extends Error {
  constructor(readonly how: 'interrupt' | 'end') {
    super(how === 'interrupt' ? 'interrupted at a question' : 'no answer: the input ended');
    this.name = 'PromptCancelled';
  }
}

/** Asks one question on a terminal; rejects with PromptCancelled on Ctrl-C or Ctrl-D. */
export function terminalPrompt(input: Readable, output: Writable, terminal = true): (question: string) => Promise<string> {
  return (question) => {
    const rl = createInterface({ input, output, terminal });
    const controller = new AbortController();
    let cancelled: PromptCancelled | undefined;
    const cancel = (how: 'interrupt' | 'end') => {
      cancelled ??= new PromptCancelled(how);
      controller.abort();
    };
    // In raw mode Ctrl-C reaches readline as a key, not as a signal to the process.
    rl.on('SIGINT', () => cancel('interrupt'));
    rl.on('close', () => cancel('end'));
    return rl
      .question(question, { signal: controller.signal })
      .then(
        (answer) => answer,
        (error: unknown) => {
          throw cancelled ?? error;
        },
      )
      .finally(() => {
        rl.removeAllListeners('close');
        rl.close();
        // A new line, so what is printed next does not continue the question's line.
        if (cancelled) output.write('\n');
      });
  };
}

/** A yes/no question: only y or yes is yes; Ctrl-C or Ctrl-D is no. */
export function terminalConfirm(input: Readable, output: Writable, terminal = true): (question: string) => Promise<boolean> {
  const prompt = terminalPrompt(input, output, terminal);
  return async (question) => {
    try {
      return /^y(es)?$/i.test((await prompt(question)).trim());
    } catch (error) {
      if (error instanceof PromptCancelled) return false;
      throw error;
    }
  };
}
