// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) as read from --config, reduced to
// the fields this scheduler honours.

export interface PluginRef { name: string; weight?: number }
export interface PluginSet { enabled?: PluginRef[]; disabled?: Array<{ name: string }> }

export const EXTENSION_POINTS = ['preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind'] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export type Plugins = Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;

export interface PluginConfig { name: string; args?: Record<string, unknown> }

export interface Profile {
  schedulerName: string;
  percentageOfNodesToScore?: number;
  plugins?: Plugins;
  pluginConfig?: PluginConfig[];
}

export interface LeaderElectionConfig {
  leaderElect: boolean;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  resourceLock: string;
  resourceName: string;
  resourceNamespace: string;
}

export interface KubeSchedulerConfiguration {
  apiVersion: string;
  kind: 'KubeSchedulerConfiguration';
  parallelism: number;
  leaderElection: LeaderElectionConfig;
  clientConnection: { kubeconfig: string; qps: number; burst: number; contentType?: string };
  /** 0 = adaptive (upstream: 50% minus 1% per 125 nodes, floor 5%). */
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  profiles: Profile[];
}
