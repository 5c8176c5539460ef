// The v1 volume shapes the kubelet reads (upstream json names). The client's PodSpec keeps volumes
// and volumeMounts untyped; these interfaces give the volume code its types.

export interface KeyToPath { key: string; path: string; mode?: number }
export interface ObjectFieldSelector { apiVersion?: string; fieldPath: string }
export interface ResourceFieldSelector { containerName?: string; resource: string; divisor?: string | number }
export interface DownwardAPIVolumeFile { path: string; fieldRef?: ObjectFieldSelector; resourceFieldRef?: ResourceFieldSelector; mode?: number }

export interface ConfigMapProjection { name?: string; items?: KeyToPath[]; optional?: boolean }
export interface SecretProjection { name?: string; items?: KeyToPath[]; optional?: boolean }
export interface DownwardAPIProjection { items?: DownwardAPIVolumeFile[] }
export interface ServiceAccountTokenProjection { audience?: string; expirationSeconds?: number; path: string }
export interface VolumeProjection {
  configMap?: ConfigMapProjection;
  secret?: SecretProjection;
  downwardAPI?: DownwardAPIProjection;
  serviceAccountToken?: ServiceAccountTokenProjection;
  clusterTrustBundle?: Record<string, unknown>;
}

export interface EmptyDirVolumeSource { medium?: string; sizeLimit?: string | number }
export interface HostPathVolumeSource { path: string; type?: string }
export interface ConfigMapVolumeSource extends ConfigMapProjection { defaultMode?: number }
export interface SecretVolumeSource { secretName?: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number }
export interface DownwardAPIVolumeSource { items?: DownwardAPIVolumeFile[]; defaultMode?: number }
export interface ProjectedVolumeSource { sources?: VolumeProjection[] | null; defaultMode?: number }

export interface Volume {
  name: string;
  emptyDir?: EmptyDirVolumeSource;
  hostPath?: HostPathVolumeSource;
  configMap?: ConfigMapVolumeSource;
  secret?: SecretVolumeSource;
  downwardAPI?: DownwardAPIVolumeSource;
  projected?: ProjectedVolumeSource;
  [source: string]: unknown;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: string;
  recursiveReadOnly?: string;
}

export interface PodSecurityContext { fsGroup?: number; fsGroupChangePolicy?: 'OnRootMismatch' | 'Always' }

/** One file of a volume payload (upstream volumeutil.FileProjection). */
export interface FileProjection { data: Buffer; mode: number; fsUser?: number }
export type Payload = Map<string, FileProjection>;

/** Upstream's default file mode for configMap, secret, downwardAPI and projected volumes (0644). */
export const DEFAULT_MODE = 0o644;
