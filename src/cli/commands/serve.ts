/** `mmreview serve`: run the GitHub App (Probot server) with Probot's standard environment variables. */
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
        await startServer({ services: defaultServices() });
      } catch (e) {
        console.error(`mmreview serve: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 1;
      }
    });
}
