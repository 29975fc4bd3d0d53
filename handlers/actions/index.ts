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
import type { ActionRunner } from './types';

/** The delegate's actions: one function each, in lib/'s terms. Adding an action is one line here. */
export const ACTIONS: { [A in DelegateAction]: ActionRunner<Extract<DelegateRequest, { action: A }>> } = {
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

/** The runner for a request's action. */
export function actionFor(request: DelegateRequest): ActionRunner<DelegateRequest> {
  // The mapped type guarantees ACTIONS[a] takes requests of action a; TypeScript cannot correlate the union.
  return ACTIONS[request.action] as ActionRunner<DelegateRequest>;
}

export type { ActionContext, ActionRunner, DelegateResponse, ProgressReport } from './types';
export { invalidInput } from './types';
