/**
 * `mmreview serve`: run the GitHub App (Probot server, webhook deliveries behind mmreview's guard) with Probot's
 * standard environment variables.
 */
import type { Command } from 'commander';

/** Register the `serve` sub-command. */
export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the GitHub App: reviews pull requests on webhook deliveries. Reads APP_ID, PRIVATE_KEY / PRIVATE_KEY_PATH, ' +
        'WEBHOOK_SECRET, GHE_HOST, GHE_PROTOCOL, WEBHOOK_PROXY_URL, PORT, HOST (see docs/github-app.md).',
    )
    .action(async () => {
      const { startServer } = await import('../../app/server.ts');
      const { defaultServices } = await import('../../app/default-services.ts');
      try {
        const server = await startServer({ services: defaultServices() });
        // Stop accepting deliveries on SIGINT / SIGTERM (containers send SIGTERM), then exit.
        const stop = (): void => {
          void server.stop().finally(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (e) {
        console.error(`mmreview serve: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 1;
      }
    });
}
