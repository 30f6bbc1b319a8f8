export interface Options {
  quick: boolean;
  only: string[];
  help: boolean;
}

export const USAGE = `npm run chaos [-- [--quick] [--only name[,name…]]]
  --quick   every scenario at its small size (the one the test suite uses)
  --only    run only the named scenarios`;

export function parseOptions(args: string[], names: string[]): Options {
  const options: Options = { quick: false, only: [], help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? args[++i] : arg.slice('--only='.length);
      if (!value) throw new Error('--only needs a scenario name');
      options.only.push(...value.split(',').filter(Boolean));
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  const unknown = options.only.filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`no scenario named ${unknown.join(', ')}; there are: ${names.join(', ')}`);
  return options;
}
