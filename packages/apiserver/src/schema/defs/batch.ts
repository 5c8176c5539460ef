// Schemas: batch/v1. Field numbers are upstream's generated.proto; markers follow upstream's types.go.
import { type GVK, type ObjectType, S, ref, listOf, f, topLevel, listType, struct, META } from '../dsl.js';

const P = 'io.k8s.api.batch.v1.';
const CORE = 'io.k8s.api.core.v1.';
const gv = (kind: string): GVK => ({ group: 'batch', version: 'v1', kind });

export const types: ObjectType[] = [
  topLevel(P + 'Job', gv('Job'), "Job represents the configuration of a single job.", {
    spec: f(ref(P + 'JobSpec'), 2, "Specification of the desired behavior of a job."),
    status: f(ref(P + 'JobStatus'), 3, "Current status of a job."),
  }),
  listType(P + 'Job', gv('Job'), "JobList is a collection of jobs."),
  struct(P + 'PodFailurePolicyOnExitCodesRequirement', "PodFailurePolicyOnExitCodesRequirement describes the requirement for handling a failed pod based on its container exit codes.", {
    containerName: f(S.string, 1, "Restricts the check for exit codes to the container with the specified name."),
    operator: f(S.string, 2, "Represents the relationship between the container exit code(s) and the specified values.", {required: true, enum: ["In", "NotIn"]}),
    values: f(listOf(S.int32), 3, "Specifies the set of values.", {required: true, listType: "set"}),
  }),
  struct(P + 'PodFailurePolicyOnPodConditionsPattern', "PodFailurePolicyOnPodConditionsPattern describes a pattern for matching an actual pod condition type.", {
    type: f(S.string, 1, "Specifies the required Pod condition type.", {required: true}),
    status: f(S.string, 2, "Specifies the required Pod condition status.", {required: true}),
  }),
  struct(P + 'PodFailurePolicyRule', "PodFailurePolicyRule describes how a pod failure is handled when the requirements are met.", {
    action: f(S.string, 1, "Specifies the action taken on a pod failure when the requirements are satisfied.", {required: true, enum: ["FailJob", "FailIndex", "Ignore", "Count"]}),
    onExitCodes: f(ref(P + 'PodFailurePolicyOnExitCodesRequirement'), 2, "Represents the requirement on the container exit codes."),
    onPodConditions: f(listOf(ref(P + 'PodFailurePolicyOnPodConditionsPattern')), 3, "Represents the requirement on the pod conditions.", {listType: "atomic"}),
  }),
  struct(P + 'PodFailurePolicy', "PodFailurePolicy describes how failed pods influence the backoffLimit.", {
    rules: f(listOf(ref(P + 'PodFailurePolicyRule')), 1, "A list of pod failure policy rules.", {required: true, listType: "atomic"}),
  }),
  struct(P + 'SuccessPolicy', "SuccessPolicy describes when a Job can be declared as succeeded based on the success of some indexes.", {
    rules: f(listOf(ref(P + 'SuccessPolicyRule')), 1, "rules represents the list of alternative rules for the declaring the Jobs as successful before `.status.succeeded >= .spec.completions`.", {required: true, listType: "atomic"}),
  }),
  struct(P + 'SuccessPolicyRule', "SuccessPolicyRule describes rule for declaring a Job as succeeded.", {
    succeededIndexes: f(S.string, 1, "succeededIndexes specifies the set of indexes which need to be contained in the actual set of the succeeded indexes for the Job."),
    succeededCount: f(S.int32, 2, "succeededCount specifies the minimal required size of the actual set of the succeeded indexes for the Job."),
  }),
  struct(P + 'JobSpec', "JobSpec describes how the job execution will look like.", {
    parallelism: f(S.int32, 1, "Specifies the maximum desired number of pods the job should run at any given time."),
    completions: f(S.int32, 2, "Specifies the desired number of successfully finished pods the job should be run with."),
    activeDeadlineSeconds: f(S.int64, 3, "Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be positive integer."),
    podFailurePolicy: f(ref(P + 'PodFailurePolicy'), 11, "Specifies the policy of handling failed pods."),
    successPolicy: f(ref(P + 'SuccessPolicy'), 16, "successPolicy specifies the policy when the Job can be declared as succeeded."),
    backoffLimit: f(S.int32, 7, "Specifies the number of retries before marking this job failed."),
    backoffLimitPerIndex: f(S.int32, 12, "Specifies the limit for the number of retries within an index before marking this index as failed."),
    maxFailedIndexes: f(S.int32, 13, "Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set."),
    selector: f(ref(META.labelSelector), 4, "A label query over pods that should match the pod count."),
    manualSelector: f(S.boolean, 5, "manualSelector controls generation of pod labels and pod selectors."),
    template: f(ref(CORE + 'PodTemplateSpec'), 6, "Describes the pod that will be created when executing a job.", {required: true}),
    ttlSecondsAfterFinished: f(S.int32, 8, "ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed)."),
    completionMode: f(S.string, 9, "completionMode specifies how Pod completions are tracked.", {enum: ["NonIndexed", "Indexed"]}),
    suspend: f(S.boolean, 10, "suspend specifies whether the Job controller should create Pods or not."),
    podReplacementPolicy: f(S.string, 14, "podReplacementPolicy specifies when to create replacement Pods.", {enum: ["TerminatingOrFailed", "Failed"]}),
    managedBy: f(S.string, 15, "ManagedBy field indicates the controller that manages a Job."),
  }),
  struct(P + 'JobStatus', "JobStatus represents the current state of a Job.", {
    conditions: f(listOf(ref(P + 'JobCondition')), 1, "The latest available observations of an object's current state.", {patchStrategy: "merge", patchMergeKey: "type", listType: "atomic"}),
    startTime: f(S.time, 2, "Represents time when the job controller started processing a job."),
    completionTime: f(S.time, 3, "Represents time when the job was completed."),
    active: f(S.int32, 4, "The number of pending and running pods which are not terminating (without a deletionTimestamp)."),
    succeeded: f(S.int32, 5, "The number of pods which reached phase Succeeded."),
    failed: f(S.int32, 6, "The number of pods which reached phase Failed."),
    terminating: f(S.int32, 11, "The number of pods which are terminating (in phase Pending or Running and have a deletionTimestamp)."),
    completedIndexes: f(S.string, 7, "completedIndexes holds the completed indexes when .spec.completionMode = \"Indexed\" in a text format."),
    failedIndexes: f(S.string, 10, "FailedIndexes holds the failed indexes when spec.backoffLimitPerIndex is set."),
    uncountedTerminatedPods: f(ref(P + 'UncountedTerminatedPods'), 8, "uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn't yet accounted for in the status counters."),
    ready: f(S.int32, 9, "The number of active pods which have a Ready condition and are not terminating (without a deletionTimestamp)."),
  }),
  struct(P + 'UncountedTerminatedPods', "UncountedTerminatedPods holds UIDs of Pods that have terminated but haven't been accounted in Job status counters.", {
    succeeded: f(listOf(S.string), 1, "succeeded holds UIDs of succeeded Pods.", {listType: "set"}),
    failed: f(listOf(S.string), 2, "failed holds UIDs of failed Pods.", {listType: "set"}),
  }),
  struct(P + 'JobCondition', "JobCondition describes current state of a job.", {
    type: f(S.string, 1, "Type of job condition, Complete or Failed.", {required: true}),
    status: f(S.string, 2, "Status of the condition, one of True, False, Unknown.", {required: true}),
    lastProbeTime: f(S.time, 3, "Last time the condition was checked."),
    lastTransitionTime: f(S.time, 4, "Last time the condition transit from one status to another."),
    reason: f(S.string, 5, "(brief) reason for the condition's last transition."),
    message: f(S.string, 6, "Human readable message indicating details about last transition."),
  }),
  struct(P + 'JobTemplateSpec', "JobTemplateSpec describes the data a Job should have when created from a template", {
    metadata: f(ref(META.objectMeta), 1, "Standard object's metadata of the jobs created from this template."),
    spec: f(ref(P + 'JobSpec'), 2, "Specification of the desired behavior of the job."),
  }),
  topLevel(P + 'CronJob', gv('CronJob'), "CronJob represents the configuration of a single cron job.", {
    spec: f(ref(P + 'CronJobSpec'), 2, "Specification of the desired behavior of a cron job, including the schedule."),
    status: f(ref(P + 'CronJobStatus'), 3, "Current status of a cron job."),
  }),
  listType(P + 'CronJob', gv('CronJob'), "CronJobList is a collection of cron jobs."),
  struct(P + 'CronJobSpec', "CronJobSpec describes how the job execution will look like and when it will actually run.", {
    schedule: f(S.string, 1, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", {required: true}),
    timeZone: f(S.string, 8, "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
    startingDeadlineSeconds: f(S.int64, 2, "Optional deadline in seconds for starting the job if it misses scheduled time for any reason."),
    concurrencyPolicy: f(S.string, 3, "Specifies how to treat concurrent executions of a Job.", {enum: ["Allow", "Forbid", "Replace"]}),
    suspend: f(S.boolean, 4, "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
    jobTemplate: f(ref(P + 'JobTemplateSpec'), 5, "Specifies the job that will be created when executing a CronJob.", {required: true}),
    successfulJobsHistoryLimit: f(S.int32, 6, "The number of successful finished jobs to retain."),
    failedJobsHistoryLimit: f(S.int32, 7, "The number of failed finished jobs to retain."),
  }),
  struct(P + 'CronJobStatus', "CronJobStatus represents the current state of a cron job.", {
    active: f(listOf(ref(CORE + 'ObjectReference')), 1, "A list of pointers to currently running jobs.", {listType: "atomic"}),
    lastScheduleTime: f(S.time, 4, "Information when was the last time the job was successfully scheduled."),
    lastSuccessfulTime: f(S.time, 5, "Information when was the last time the job successfully completed."),
  }),
];
