import type { DelegateAction, DelegateRequest } from '../../lib/events';
import { backupAction } from './backup';
import {
  describeRecoveryPointAction, diffRecoveryPointsAction, listRecoveryPointsAction, listRestoresAction, verifyRecoveryPointAction,
} from './catalog';
import { checkAccessAction } from './checkAccess';
import { describeRestoreAction } from './describeRestore';
import { driftAction } from './drift';
import { preflightAction } from './preflight';
import { readinessAction } from './readiness';
import { restoreAction } from './restore';
import { resumeGitopsAction } from './resumeGitops';
import type { ActionContext, ActionResponses } from './types';

/** The request of one action. */
type RequestOf<A extends DelegateAction> = Extract<DelegateRequest, { action: A }>;

/** One runner per action, each answering its own entry of ActionResponses (responses.ts). */
type ActionTable = { [A in DelegateAction]: (request: RequestOf<A>, ctx: ActionContext) => Promise<ActionResponses[A]> };

/** The delegate's actions: one function each, in lib/'s terms. Adding an action is one line here (and its response type). */
export const ACTIONS: ActionTable = {
  backup: backupAction,
  'check-access': checkAccessAction,
  preflight: preflightAction,
  restore: restoreAction,
  'resume-gitops': resumeGitopsAction,
  'list-recovery-points': listRecoveryPointsAction,
  'describe-recovery-point': describeRecoveryPointAction,
  'verify-recovery-point': verifyRecoveryPointAction,
  'diff-recovery-points': diffRecoveryPointsAction,
  'list-restores': listRestoresAction,
  'describe-restore': describeRestoreAction,
  readiness: readinessAction,
  drift: driftAction,
};

/**
 * Runs the request's action. `action` is the request's own, passed apart so that TypeScript can match the
 * runner to the request and its response to the action (a correlated union, without a cast).
 */
export function runAction<A extends DelegateAction>(action: A, request: RequestOf<A>, ctx: ActionContext): Promise<ActionResponses[A]> {
  const run = ACTIONS[action];
  return run(request, ctx);
}

export type * from './types';
export { invalidInput, operationalFailure } from './types';
