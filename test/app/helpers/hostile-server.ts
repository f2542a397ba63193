/** Child process for the hostile-load test: the real server (startServer) on 127.0.0.1, logging JSON at debug level. */
import { startServer } from '../../../src/app/server.ts';
import { UnthrottledOctokit, privateKey } from './probot.ts';
import { channelServices } from './services.ts';

const [port, secret] = process.argv.slice(2) as [string, string];
await startServer({
  services: channelServices({}),
  Octokit: UnthrottledOctokit,
  env: { APP_ID: '123', PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: secret, PORT: port, HOST: '127.0.0.1', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' },
});
process.stderr.write('LISTENING\n');
