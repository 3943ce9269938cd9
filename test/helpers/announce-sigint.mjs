// Loaded with --import before the CLI in tests that press Ctrl-C: says on stderr when the CLI has
// put its Ctrl-C handler in place, so the test presses it then, never before (when Node would
// simply end the process) and never by guessing a delay.
process.on('newListener', (event) => {
  if (event === 'SIGINT') queueMicrotask(() => process.stderr.write('[sigint-handler-ready]\n'));
});
