import { createInterface } from 'node:readline';
import { ChatSession } from './chat.session';
import { parseOptions, USAGE, UsageError } from './options';
import { Screen } from './screen';

/** `npm run chat`: a terminal chat with a running system, answers streamed as they are written. */
const EOF_WAIT_MS = 60_000;

function main(): void {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options === 'help') return void process.stdout.write(`${USAGE}\n`);
  const screen = new Screen();
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal, prompt: 'you> ' });
  const prompt = () => terminal && session.awaiting.size === 0 && rl.prompt();
  const session = new ChatSession(options.url, (event) => {
    process.stdout.write(screen.render(event));
    if (event.kind === 'frame' && ['session', 'reply', 'error'].includes(event.frame.type)) prompt();
  });
  process.stdout.write(`connecting to ${options.url}…\n`);
  session.connect();

  let quitNow = false;
  rl.on('line', (line) => {
    const text = line.trim();
    if (text === '/quit') {
      quitNow = true;
      return rl.close();
    }
    if (text) session.send(text);
    else prompt();
  });
  // /quit leaves now; Ctrl-D or the end of piped input once the answers asked for have arrived.
  rl.on('close', () => {
    const deadline = quitNow ? Date.now() : Date.now() + EOF_WAIT_MS;
    const leave = () => {
      if (session.awaiting.size > 0 && Date.now() < deadline) return void setTimeout(leave, 100);
      session.close();
      process.exit(0);
    };
    leave();
  });
}

try {
  main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ''}`);
  process.exit(2);
}
