export async function engineCommand(argv: string[]): Promise<number> {
  process.stderr.write(`toron-testops engine ${argv.join(' ')}: pending\n`);
  return 2;
}
