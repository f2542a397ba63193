/** Probot instances for handler tests: the app loaded with given services, throttling off unless asked for. */
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../../src/app/index.ts';
import type { AppServices } from '../../../src/app/engine-port.ts';
import { testPrivateKey } from './scenario.ts';

let key: string | undefined;

/** One key per test file (RSA generation takes ~50 ms). */
export function privateKey(): string {
  key ??= testPrivateKey();
  return key;
}

/** Probot's Octokit without throttling/retry (the function form: the object form is overwritten by probot 14). */
export const UnthrottledOctokit = ProbotOctokit.defaults((o: any) => ({
  ...o,
  retry: { enabled: false },
  throttle: { ...o.throttle, enabled: false },
})) as typeof ProbotOctokit;

/** A Probot with the mmreview app loaded. */
export function appProbot(services: AppServices, Octokit: typeof ProbotOctokit = UnthrottledOctokit, baseUrl?: string): Probot {
  const probot = new Probot({ appId: 123, privateKey: privateKey(), Octokit, ...(baseUrl ? { baseUrl } : {}) });
  void probot.load(createApp(services));
  return probot;
}
