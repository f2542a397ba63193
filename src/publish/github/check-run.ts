/** Creates, finds and completes the `mmreview` check run; annotations go out in batches of at most 50. */
import { batchAnnotations } from '../../render/check-run.ts';
import type { CheckRunView } from '../../render/check-run.ts';
import { CHECK_NAME } from './types.ts';
import type { GitHub, PrRef } from './types.ts';

/** An existing mmreview check run on a commit. */
export interface ExistingCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
}

/** The newest mmreview check run on the head sha, if any. */
export async function findCheckRun(gh: GitHub, pr: PrRef): Promise<ExistingCheckRun | undefined> {
  const { data } = await gh.rest.checks.listForRef({
    owner: pr.owner,
    repo: pr.repo,
    ref: pr.headSha,
    check_name: CHECK_NAME,
    filter: 'latest',
    per_page: 100,
  });
  const runs = data.check_runs.filter((r) => r.name === CHECK_NAME).sort((a, b) => b.id - a.id);
  const r = runs[0];
  return r ? { id: r.id, status: r.status, conclusion: r.conclusion ?? null } : undefined;
}

/** Create the check run in_progress and return its id. */
export async function startCheckRun(gh: GitHub, pr: PrRef): Promise<number> {
  const { data } = await gh.rest.checks.create({
    owner: pr.owner,
    repo: pr.repo,
    name: CHECK_NAME,
    head_sha: pr.headSha,
    status: 'in_progress',
    output: { title: 'Analysing', summary: 'mmreview is analysing this push.' },
  });
  return data.id;
}

/**
 * Complete the check run. Annotations beyond the first 50 are sent in further updates of 50 each (GitHub appends
 * them); the conclusion goes with the last batch so the run never looks finished with annotations missing.
 */
export async function completeCheckRun(gh: GitHub, pr: PrRef, id: number, view: CheckRunView): Promise<number> {
  const batches = batchAnnotations(view.annotations);
  if (batches.length === 0) batches.push([]);
  let requests = 0;
  for (let i = 0; i < batches.length; i++) {
    const last = i === batches.length - 1;
    const output = { title: view.title, summary: view.summary, annotations: batches[i] ?? [] };
    if (last) {
      await gh.rest.checks.update({
        owner: pr.owner,
        repo: pr.repo,
        check_run_id: id,
        status: 'completed',
        conclusion: view.conclusion,
        output,
      });
    } else {
      await gh.rest.checks.update({ owner: pr.owner, repo: pr.repo, check_run_id: id, output });
    }
    requests++;
  }
  return requests;
}
