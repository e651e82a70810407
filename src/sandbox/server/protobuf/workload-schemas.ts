// k8s.io/api apps/v1 Deployment and batch/v1 Job and CronJob messages (generated.proto).
import { labelSelector, objectMeta } from './meta-schemas.js';
import { objectReference } from './core-schemas.js';
import { podTemplateSpec } from './pod-schemas.js';
import { bool, int32, int64, lazy, list, message, obj, ref, scalar, str } from './schema.js';

const deploymentCondition = lazy(() => message('DeploymentCondition', {
  1: str('type', 'keep'),
  2: str('status', 'keep'),
  6: scalar('lastUpdateTime', 'time', 'keep'),
  7: scalar('lastTransitionTime', 'time', 'keep'),
  4: str('reason'),
  5: str('message'),
}));

export const deployment = lazy(() => message('Deployment', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('DeploymentSpec', {
    1: int32('replicas', 'ptr'),
    2: ref('selector', labelSelector, 'null'),
    3: obj('template', podTemplateSpec),
    4: obj('strategy', lazy(() => message('DeploymentStrategy', {
      1: str('type'),
      2: ref('rollingUpdate', lazy(() => message('RollingUpdateDeployment', {
        1: scalar('maxUnavailable', 'intstr', 'ptr'),
        2: scalar('maxSurge', 'intstr', 'ptr'),
      }))),
    }))),
    5: int32('minReadySeconds'),
    6: int32('revisionHistoryLimit', 'ptr'),
    7: bool('paused'),
    9: int32('progressDeadlineSeconds', 'ptr'),
  }))),
  3: obj('status', lazy(() => message('DeploymentStatus', {
    1: int64('observedGeneration'),
    2: int32('replicas'),
    3: int32('updatedReplicas'),
    7: int32('readyReplicas'),
    4: int32('availableReplicas'),
    5: int32('unavailableReplicas'),
    9: int32('terminatingReplicas', 'ptr'),
    6: list('conditions', deploymentCondition),
    8: int32('collisionCount', 'ptr'),
  }))),
}));

const jobCondition = lazy(() => message('JobCondition', {
  1: str('type', 'keep'),
  2: str('status', 'keep'),
  3: scalar('lastProbeTime', 'time', 'keep'),
  4: scalar('lastTransitionTime', 'time', 'keep'),
  5: str('reason'),
  6: str('message'),
}));

const jobSpec = lazy(() => message('JobSpec', {
  1: int32('parallelism', 'ptr'),
  2: int32('completions', 'ptr'),
  3: int64('activeDeadlineSeconds', 'ptr'),
  7: int32('backoffLimit', 'ptr'),
  12: int32('backoffLimitPerIndex', 'ptr'),
  13: int32('maxFailedIndexes', 'ptr'),
  4: ref('selector', labelSelector),
  5: bool('manualSelector', 'ptr'),
  6: obj('template', podTemplateSpec),
  8: int32('ttlSecondsAfterFinished', 'ptr'),
  9: str('completionMode', 'ptr'),
  10: bool('suspend', 'ptr'),
  14: str('podReplacementPolicy', 'ptr'),
  15: str('managedBy', 'ptr'),
}));

const jobStatus = lazy(() => message('JobStatus', {
  1: list('conditions', jobCondition),
  2: scalar('startTime', 'time', 'ptr'),
  3: scalar('completionTime', 'time', 'ptr'),
  4: int32('active'),
  5: int32('succeeded'),
  6: int32('failed'),
  11: int32('terminating', 'ptr'),
  7: str('completedIndexes'),
  10: str('failedIndexes', 'ptr'),
  8: ref('uncountedTerminatedPods', lazy(() => message('UncountedTerminatedPods', {
    1: list('succeeded', 'string'),
    2: list('failed', 'string'),
  }))),
  9: int32('ready', 'ptr'),
}));

export const job = lazy(() => message('Job', {
  1: obj('metadata', objectMeta),
  2: obj('spec', jobSpec),
  3: obj('status', jobStatus),
}));

export const cronJob = lazy(() => message('CronJob', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('CronJobSpec', {
    1: str('schedule', 'keep'),
    8: str('timeZone', 'ptr'),
    2: int64('startingDeadlineSeconds', 'ptr'),
    3: str('concurrencyPolicy'),
    4: bool('suspend', 'ptr'),
    5: obj('jobTemplate', lazy(() => message('JobTemplateSpec', {
      1: obj('metadata', objectMeta),
      2: obj('spec', jobSpec),
    }))),
    6: int32('successfulJobsHistoryLimit', 'ptr'),
    7: int32('failedJobsHistoryLimit', 'ptr'),
  }))),
  3: obj('status', lazy(() => message('CronJobStatus', {
    1: list('active', objectReference),
    4: scalar('lastScheduleTime', 'time', 'ptr'),
    5: scalar('lastSuccessfulTime', 'time', 'ptr'),
  }))),
}));
