import { sequelize } from '../infra/db';

/**
 * Runs a one-shot operator command: `work` answers the exit code, the MySQL pool is closed
 * whatever happens (an open pool would keep the process alive), and a failure is printed as
 * `<failure>: <message>` with exit code 1 instead of a stack trace.
 */
export function runCommand(failure: string, work: () => Promise<number>): void {
  const main = async (): Promise<number> => {
    try {
      return await work();
    } finally {
      await sequelize.close();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${failure}: ${message}\n`);
      process.exit(1);
    },
  );
}
